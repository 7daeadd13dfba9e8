/**
 * Checks a restored venv before anything runs in it. A venv is a thin shell around its base
 * interpreter: if that interpreter moved, changed version or lost files, the venv breaks in
 * ways that surface late (an import error in the middle of the tests), so we look first.
 *
 * The interpreter's version and the dependency check run in ONE python process. The dependency
 * check is `pip check`'s own logic (pip/_internal/operations/check.py and commands/check.py,
 * pip 22-26) with pip's vendored `packaging`, without importing pip's command machinery: on the
 * example service's 330 MB venv, probe and check take 0.13 s (median of 11) where the version
 * probe plus `python -m pip check` took 0.40 s (see docs/benchmarks.md). When pip's vendored
 * packaging cannot be imported, or the check meets something it does not read (a zip archive on
 * sys.path), `python -m pip check` decides. The check itself is verify_venv.py, shipped beside
 * the bundle.
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assetPath } from '../../runner/asset.js';
import { captureProgram } from '../../runner/exec.js';
import { venvPython } from '../venv.js';

const PROBE_TIMEOUT_MS = 60_000;
const PIP_CHECK_TIMEOUT_MS = 120_000;

/**
 * Prints the version first, in syntax any Python accepts, so that an interpreter too old for the
 * check still says which version it is; then runs the check passed as argv[1].
 */
const PROBE_HEAD = [
  'import platform, sys',
  'sys.stdout.write(platform.python_version() + "\\n")',
  'sys.stdout.flush()',
  'exec(compile(sys.argv[1], "<pyci-verify>", "exec"))',
].join('\n');

/** `pip check` in one pass: see the file's docstring. Read once, then passed as argv[1]. */
const DEPENDENCY_CHECK_FILE = assetPath(new URL('./verify_venv.py', import.meta.url));
let dependencyCheck: string | undefined;

/** What the probe found: the interpreter's version and pip check's verdict on the venv. */
export interface VenvProbe {
  /** `platform.python_version()`; empty when the interpreter did not get that far. */
  version: string;
  /**
   * `ok`, `broken` (see `problems`), `no-pip` (nothing to check with), or `unavailable` (the fast
   * check cannot decide: `python -m pip check` must).
   */
  status: 'ok' | 'broken' | 'no-pip' | 'unavailable';
  /** pip check's lines for `broken`; the reason for `unavailable`. */
  problems: string[];
  /** Set when the process could not start, timed out or exited non-zero. */
  failure?: string;
}

/** Runs the version probe and the fast dependency check in one process of `python`. */
export async function probeVenv(python: string): Promise<VenvProbe> {
  dependencyCheck ??= readFileSync(DEPENDENCY_CHECK_FILE, 'utf8');
  const result = await run(python, ['-c', PROBE_HEAD, dependencyCheck], PROBE_TIMEOUT_MS);
  const [version = '', status = '', ...problems] = result.stdout.replace(/\n$/, '').split('\n');
  const statuses = ['ok', 'broken', 'no-pip', 'unavailable'];
  if (result.failure || !statuses.includes(status)) {
    return {
      version: version.trim(),
      status: 'unavailable',
      problems: [result.failure ?? `unexpected output: ${status}`],
      ...(result.failure ? { failure: result.failure } : {}),
    };
  }
  return { version: version.trim(), status: status as VenvProbe['status'], problems };
}

/**
 * Resolves undefined when the venv is usable, else one sentence saying why not (the caller
 * warns with it, deletes the venv and installs afresh). Never rejects.
 */
export async function verifyRestoredVenv(
  venvPath: string,
  expectedVersion: string,
): Promise<string | undefined> {
  const cfgPath = join(venvPath, 'pyvenv.cfg');
  let home: string | undefined;
  try {
    home = parseVenvConfig(await readFile(cfgPath, 'utf8')).home;
  } catch (error) {
    return `${cfgPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (!home) return `${cfgPath} has no "home" line naming the base interpreter`;
  if (!(await isDirectory(home)))
    return `its base interpreter's directory ${home} (pyvenv.cfg "home") does not exist`;

  const python = venvPython(venvPath);
  const probe = await probeVenv(python);
  if (!/^\d+\.\d+/.test(probe.version))
    return `its interpreter ${python} does not run: ${probe.failure ?? 'it printed no version'}`;
  if (probe.version !== expectedVersion)
    return `its interpreter is Python ${probe.version}, not ${expectedVersion}`;

  if (probe.status === 'ok' || probe.status === 'no-pip') return undefined;
  if (probe.status === 'broken')
    return `"pip check" found broken requirements: ${probe.problems.slice(-10).join(' | ')}`;

  const check = await run(python, ['-m', 'pip', 'check'], PIP_CHECK_TIMEOUT_MS);
  if (check.failure) {
    // A venv made without pip has nothing to check with; that is not a broken venv.
    if (/No module named pip\b/.test(check.output)) return undefined;
    return `"pip check" found broken requirements: ${lastLines(check.output, 10)}`;
  }
  return undefined;
}

/** The `key = value` lines of pyvenv.cfg. */
export function parseVenvConfig(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf('=');
    if (separator < 0) continue;
    fields[line.slice(0, separator).trim().toLowerCase()] = line.slice(separator + 1).trim();
  }
  return fields;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

interface RunResult {
  stdout: string;
  output: string;
  failure?: string;
}

async function run(program: string, args: string[], timeout: number): Promise<RunResult> {
  const env = {
    ...process.env,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  let result;
  try {
    result = await captureProgram(program, args, { timeoutMs: timeout, env });
  } catch (error) {
    // It cannot be started: ENOENT, EACCES, ...
    return {
      stdout: '',
      output: '',
      failure: (error as NodeJS.ErrnoException).code ?? String(error),
    };
  }
  const { stdout } = result;
  const output = `${stdout}${result.stderr}`;
  if (result.exitCode === 0 && !result.timedOut && !result.overflowed) return { stdout, output };
  const why = result.timedOut
    ? `timed out after ${timeout / 1000} s`
    : result.overflowed
      ? `it wrote more than 4 MiB of output`
      : result.signal
        ? `killed by ${result.signal}: ${lastLines(output, 5)}`
        : `exit ${result.exitCode}: ${lastLines(output, 5)}`;
  return { stdout, output, failure: why };
}

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join(' | ');
}
