/**
 * Turns pip's output into one sentence that names the culprit and the input to fix (pure).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { PipStep } from './plan.js';

export interface PipContext {
  step: PipStep;
  exitCode: number;
  output: string;
  /** Every requirement file involved, to say which one names a missing package. */
  requirementFiles: string[];
  workingDirectory: string;
}

const NOT_FOUND = /No matching distribution found for (\S+)/;
const GROUP_NOT_FOUND = /Dependency group '([^']+)' not found/;
const MISSING_EXTRA = /does not provide the extra '([^']+)'/;
const UNKNOWN_OPTION = /no such option: (-\S+)/;

function requirementName(spec: string): string {
  return spec
    .split(/[<>=!~;[\s@]/)[0]
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

function filesNaming(pkg: string, files: string[], cwd: string): string[] {
  return files
    .filter((file) =>
      readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .some((line) => requirementName(line.trim()) === requirementName(pkg)),
    )
    .map((file) => relative(cwd, file) || file);
}

/** Explains a failed pip step; returns the last error lines of pip when nothing better is known. */
export function explainPipFailure(ctx: PipContext): string {
  const { step, output } = ctx;
  const option = unknownPipOption(output, ctx.exitCode);
  if (option) return option;
  const group = GROUP_NOT_FOUND.exec(output);
  if (group) {
    return `dependency-groups: group "${group[1]}" is not defined in [dependency-groups] of pyproject.toml. Add it there or remove it from the input.`;
  }
  const missing = NOT_FOUND.exec(output);
  if (missing) {
    const files = filesNaming(missing[1], ctx.requirementFiles, ctx.workingDirectory);
    const where =
      files.length > 0 ? ` named in ${files.join(', ')}` : ` (while installing ${step.what})`;
    return `${step.input}: pip could not find package "${missing[1]}"${where}. Check its spelling and version, or add the index that serves it with pip-args (e.g. --extra-index-url).`;
  }
  const errorLines = output
    .split(/\r?\n/)
    .filter((line) => line.startsWith('ERROR:'))
    .slice(-3)
    .join(' ');
  return `${step.input}: pip failed (exit ${ctx.exitCode}) while installing ${step.what}.${errorLines ? ` ${errorLines}` : ' See the log above.'}`;
}

/**
 * pip's usage error (exit 2) for an option it does not know. Our own arguments are ones pip
 * knows, so the option came from pip-args: say so.
 */
export function unknownPipOption(output: string, exitCode: number): string | undefined {
  const option = UNKNOWN_OPTION.exec(output);
  if (!option) return undefined;
  return `pip-args: pip does not know the option "${option[1]}" (pip exit ${exitCode}). Fix or remove it in the pip-args input.`;
}

/** pip only warns about an unknown extra; we treat it as the input error it is. */
export function missingExtra(output: string): string | undefined {
  return MISSING_EXTRA.exec(output)?.[1];
}
