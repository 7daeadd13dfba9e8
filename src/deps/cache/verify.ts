/**
 * Checks a restored venv before anything runs in it. A venv is a thin shell around its base
 * interpreter: if that interpreter moved, changed version or lost files, the venv breaks in
 * ways that surface late (an import error in the middle of the tests), so we look first.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { venvPython } from '../venv.js';

const PROBE_TIMEOUT_MS = 60_000;
const PIP_CHECK_TIMEOUT_MS = 120_000;

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
  const probe = await run(
    python,
    ['-c', 'import platform; print(platform.python_version())'],
    PROBE_TIMEOUT_MS,
  );
  if (probe.failure) return `its interpreter ${python} does not run: ${probe.failure}`;
  const actual = probe.stdout.trim();
  if (actual !== expectedVersion)
    return `its interpreter is Python ${actual}, not ${expectedVersion}`;

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

function run(program: string, args: string[], timeout: number): Promise<RunResult> {
  const env = {
    ...process.env,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return new Promise((resolveRun) => {
    execFile(
      program,
      args,
      { timeout, env, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!error) return resolveRun({ stdout, output });
        const why = error.killed
          ? `timed out after ${timeout / 1000} s`
          : typeof error.code === 'string'
            ? error.code
            : `exit ${error.code}: ${lastLines(output, 5)}`;
        resolveRun({ stdout, output, failure: why });
      },
    );
  });
}

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join(' | ');
}
