/**
 * Turns pip's output into one sentence that names the culprit and the input to fix (pure).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { PipStep } from './plan.js';

export interface PipContext {
  step: PipStep;
  exitCode: number;
  output: string;
  /** Every requirement file involved, to say which one names a missing package. */
  requirementFiles: string[];
  workingDirectory: string;
  /** The `packages` input, to say when it names the culprit. */
  packages?: string[];
}

const NOT_FOUND = /No matching distribution found for (\S+)/;
const GROUP_NOT_FOUND = /Dependency group '([^']+)' not found/;
const MISSING_EXTRA = /does not provide the extra '([^']+)'/;
const UNKNOWN_OPTION = /no such option: (-\S+)/;
/** The build backend pyproject.toml names could not be imported (not in its `requires`). */
const BACKEND_UNAVAILABLE =
  /BackendUnavailable: Cannot import '([^']+)'|BackendUnavailable[\s\S]*?No module named '([^']+)'/;
/** pip's progress line when the build requirements of [build-system] failed to install. */
const BUILD_DEPS_FAILED = /Installing build dependencies: finished with status 'error'/;
/** pip's line for a local directory in a conflict: `The user requested NAME VERSION (from DIR)`. */
const REQUESTED_LOCAL = /^The user requested (\S+) (\S+) \(from (.+)\)$/;

export function requirementName(spec: string): string {
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

/** Where a requirement pip names comes from: a requirement file, or the packages input. */
function sourceOf(pkg: string, ctx: PipContext): { input: string; where: string } | undefined {
  const files = filesNaming(pkg, ctx.requirementFiles, ctx.workingDirectory);
  if (files.length > 0) return { input: 'requirements', where: `named in ${files.join(', ')}` };
  if ((ctx.packages ?? []).some((spec) => requirementName(spec) === requirementName(pkg)))
    return { input: 'packages', where: 'named in the packages input' };
  return undefined;
}

/** The inputs a failure of the whole step points at. */
function stepInputs(step: PipStep): string {
  return step.inputs.length > 0 ? step.inputs.join(', ') : 'pip-args';
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
  const conflict = projectConflict(ctx);
  if (conflict) return conflict;
  const backend = buildBackendFailure(output);
  if (backend) return backend;
  const missing = NOT_FOUND.exec(output);
  if (missing) {
    const source = sourceOf(missing[1], ctx);
    if (!source && step.addsPytest && requirementName(missing[1]) === 'pytest') {
      return `pip could not find pytest, which the action installs because the project does not declare it. Add pytest to your requirements, or make it reachable through pip-args (e.g. --extra-index-url).`;
    }
    const input = source?.input ?? stepInputs(step);
    const where = source ? ` ${source.where}` : ` (while installing ${step.what})`;
    return `${input}: pip could not find package "${missing[1]}"${where}. Check its spelling and version, or add the index that serves it with pip-args (e.g. --extra-index-url).`;
  }
  const errorLines = output
    .split(/\r?\n/)
    .filter((line) => line.startsWith('ERROR:'))
    .slice(-3)
    .join(' ');
  return `${stepInputs(step)}: pip failed (exit ${ctx.exitCode}) while installing ${step.what}.${errorLines ? ` ${errorLines}` : ' See the log above.'}`;
}

/** A project whose [build-system] table cannot give pip its build backend. */
function buildBackendFailure(output: string): string | undefined {
  const unavailable = BACKEND_UNAVAILABLE.exec(output);
  if (unavailable) {
    const backend = unavailable[1] ?? unavailable[2];
    return `install-project: pip could not import the build backend "${backend}" of the project: the [build-system] table of pyproject.toml names it in build-backend but its requires list does not install it. Add the package that provides it to requires (e.g. requires = ["hatchling"]), or set install-project: false.`;
  }
  if (!BUILD_DEPS_FAILED.test(output)) return undefined;
  const missing = NOT_FOUND.exec(output)?.[1];
  return `install-project: pip could not install the build requirements in the [build-system] table of pyproject.toml${missing ? ` (no package "${missing}" on the index)` : ''}. Check the requires list there, add the index that serves it with pip-args, or set install-project: false.`;
}

/** The lines under pip's "The conflict is caused by:", trimmed. */
function conflictCauses(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === 'The conflict is caused by:');
  if (start < 0) return [];
  const causes: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    causes.push(line.trim());
  }
  return causes;
}

/**
 * A resolve that fails because the checkout's project does not satisfy what something else
 * requires of it (pytest needing pluggy>=1.5 while a tagless clone builds pluggy 0.1.dev1). pip
 * in separate runs would have replaced the checkout with the index's copy; say what asked.
 */
function projectConflict(ctx: PipContext): string | undefined {
  const causes = conflictCauses(ctx.output);
  const project = causes
    .map((line) => REQUESTED_LOCAL.exec(line))
    .find((m) => m && resolve(ctx.workingDirectory, m[3]) === resolve(ctx.workingDirectory));
  if (!project) return undefined;
  const name = project[1].replace(/\[.*\]$/, '');
  const others = causes
    .filter((line) => !REQUESTED_LOCAL.test(line))
    .map((line) => {
      const requested = /^The user requested (.+)$/.exec(line);
      if (!requested) return line;
      const source = sourceOf(requested[1], ctx);
      return `${requested[1]} (${source ? source.where : 'requested directly'})`;
    });
  return `install-project: the checkout's ${name} ${project[2]} does not satisfy what else is installed: ${others.join('; ')}. Installing them would replace the checkout with the index's copy of ${name}, and the tests would not test your code. If the version comes from git tags (setuptools-scm, hatch-vcs), check out the tags (actions/checkout with fetch-depth: 0); otherwise loosen the requirement.`;
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
