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

const SIZE_UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * A size in bytes: `500M`, `2G`, `1.5GB`, `10GiB`, `800k` or a number of bytes. K, M, G and T are
 * powers of 1024 (as `du -h` and `df -h` print them), with or without `B`/`iB`. Undefined when
 * empty (the caller's default applies); `0` is 0 (callers decide what it means).
 */
export function parseSize(name: string, value: string): number | undefined {
  if (value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i.exec(value.trim());
  const bytes = match
    ? Math.round(Number(match[1]) * (match[2] ? SIZE_UNITS[match[2].toLowerCase()] : 1))
    : NaN;
  if (!Number.isSafeInteger(bytes) || (match && !match[2] && match[1].includes('.'))) {
    throw new InputError(
      `Input ${name} must be a size such as 500M, 2G or a number of bytes (K, M, G, T are powers of 1024), got "${value}".`,
    );
  }
  return bytes;
}

/**
 * The one grammar of list inputs. Every list: one entry per line; blank lines are skipped; `#`
 * starts a comment, on a line of its own or after white space (so `pkg @ https://x#egg=y` keeps
 * its fragment). Name lists (extras, dependency groups, sources, branches, tags, events) also
 * take commas or spaces between names; a comma inside `{...}` belongs to a glob (`release/{a,b}`).
 */
export interface ListEntry {
  text: string;
  /** 1-based line of the input it came from, for error messages. */
  line: number;
}

function withoutComment(line: string): string {
  return line.trim().startsWith('#') ? '' : line.replace(/\s#.*$/, '').trim();
}

/** Entries of a one-per-line list, with their line numbers. */
export function listLines(value: string): ListEntry[] {
  const entries: ListEntry[] = [];
  value.split(/\r?\n/).forEach((raw, index) => {
    const text = withoutComment(raw);
    if (text !== '') entries.push({ text, line: index + 1 });
  });
  return entries;
}

/** Entries of a name list: lines split further on commas and spaces outside `{...}`. */
export function listNames(value: string): ListEntry[] {
  const entries: ListEntry[] = [];
  for (const { text: lineText, line } of listLines(value)) {
    let depth = 0;
    let current = '';
    const flush = (): void => {
      if (current !== '') entries.push({ text: current, line });
      current = '';
    };
    for (const char of lineText) {
      if (char === '{') depth++;
      if (char === '}') depth = Math.max(0, depth - 1);
      if (depth === 0 && (char === ',' || /\s/.test(char))) flush();
      else current += char;
    }
    flush();
  }
  return entries;
}

/** The texts of a one-per-line list. */
export function parseLines(value: string): string[] {
  return listLines(value).map((entry) => entry.text);
}

/** The texts of a name list. */
export function parseNames(value: string): string[] {
  return listNames(value).map((entry) => entry.text);
}
