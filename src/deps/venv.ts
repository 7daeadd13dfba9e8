/** Creating a virtualenv and finding its parts. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';

/** The venv's folder of executables: `bin` on POSIX, `Scripts` on Windows. */
export function venvBinDir(venvPath: string): string {
  return join(venvPath, process.platform === 'win32' ? 'Scripts' : 'bin');
}

export function venvPython(venvPath: string): string {
  return join(venvBinDir(venvPath), process.platform === 'win32' ? 'python.exe' : 'python');
}

/**
 * Makes a fresh virtualenv at `venvPath` (removing whatever was there) and upgrades its pip,
 * with `pipArgs` like every other pip install (an index given there may be the only one).
 */
export async function createVenv(
  basePython: string,
  venvPath: string,
  pipArgs: string[] = [],
): Promise<void> {
  rmSync(venvPath, { recursive: true, force: true });
  const created = await execProgram(basePython, ['-m', 'venv', venvPath]);
  if (created.exitCode !== 0) {
    throw new InputError(
      `Could not create a virtualenv at ${venvPath} with ${basePython} (exit ${created.exitCode}). Check that venv-path is writable; on Debian/Ubuntu system Pythons install the pythonX.Y-venv package.`,
    );
  }
  const upgraded = await execProgram(venvPython(venvPath), [
    '-m',
    'pip',
    'install',
    '--upgrade',
    'pip',
    ...pipArgs,
  ]);
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
