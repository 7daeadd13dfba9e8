/** Creating a virtualenv and finding its parts. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError, SetupError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';

/** The venv's folder of executables: `bin` on POSIX, `Scripts` on Windows. */
export function venvBinDir(venvPath: string): string {
  return join(venvPath, process.platform === 'win32' ? 'Scripts' : 'bin');
}

export function venvPython(venvPath: string): string {
  return join(venvBinDir(venvPath), process.platform === 'win32' ? 'python.exe' : 'python');
}

/**
 * Removes the folder at `venvPath` when it is a virtualenv (or empty), so a fresh one can take its
 * place. Anything else there is the user's: refuse rather than delete it.
 */
export function removeVenv(venvPath: string): void {
  if (!existsSync(venvPath)) return;
  const isVenv = existsSync(join(venvPath, 'pyvenv.cfg'));
  if (!isVenv && readdirSync(venvPath).length > 0) {
    throw new InputError(
      `venv-path ${venvPath} exists and is not a virtualenv (it has no pyvenv.cfg); the action will not delete it. Point venv-path at a new folder, or remove that one.`,
    );
  }
  rmSync(venvPath, { recursive: true, force: true });
}

/**
 * Makes a fresh virtualenv at `venvPath` (removing whatever was there) and upgrades its pip,
 * with `pipArgs` like every other pip install (an index given there may be the only one).
 */
export async function createVenv(
  basePython: string,
  venvPath: string,
  pipArgs: string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  removeVenv(venvPath);
  const created = await execProgram(basePython, ['-m', 'venv', venvPath]);
  if (created.exitCode !== 0) {
    throw new SetupError(
      `Could not create a virtualenv at ${venvPath} with ${basePython} (exit ${created.exitCode}). Check that venv-path is writable; on Debian/Ubuntu system Pythons install the pythonX.Y-venv package.`,
    );
  }
  const upgraded = await execProgram(
    venvPython(venvPath),
    ['-m', 'pip', 'install', '--upgrade', 'pip', ...pipArgs],
    { env },
  );
  if (upgraded.exitCode !== 0) {
    // An old pip still installs plain requirements; say so rather than fail the run.
    core.warning(
      `Could not upgrade pip in the virtualenv (exit ${upgraded.exitCode}); continuing with the pip it has.`,
    );
  }
}

/** True when `module` imports in the venv's interpreter. */
export async function hasModule(python: string, module: string): Promise<boolean> {
  const probe = await execProgram(python, ['-c', `import ${module}`], { echo: false });
  return probe.exitCode === 0;
}
