import { InputError } from './errors.js';
import type { InputName } from './names.js';
import { inputVariable } from './unknown-inputs.js';

/** Reads one input as the runner passes it (INPUT_<NAME>); empty string when not set. */
export type InputGetter = (name: InputName) => string;

export const runnerInput: InputGetter = (name) => (process.env[inputVariable(name)] ?? '').trim();

/** `true`/`false` in the spellings the YAML 1.2 core schema allows; anything else is an error. */
export function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new InputError(`Input ${name} must be true or false, got "${value}".`);
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(
  name: string,
  value: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === '') return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`Input ${name} must be one of ${choices.join(', ')}, got "${value}".`);
}

/** Non-empty lines, trimmed; lines starting with `#` are comments. */
export function parseLines(value: string): string[] {
  return value
    .split('\n')
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}
