/** Creating a virtualenv and finding its parts. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError, SetupError } from '../runner/errors.js';
import { captureProgram, execProgram } from '../runner/exec.js';

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
 * Makes a fresh virtualenv at `venvPath` (removing whatever was there) holding what
 * `python -m venv` seeds it with (pip, and setuptools before 3.12), pip at its newest, with
 * `pipArgs` like every other pip install (an index given there may be the only one).
 *
 * Why not `python -m venv` then `pip install --upgrade pip`: ensurepip starts a pip of its own to
 * install the bundled pip, which the upgrade then replaces; that is two pip processes and one
 * install thrown away (~2-3 s). Here the venv is made without pip and ONE pip process, run from
 * ensurepip's own bundled wheel, installs the newest pip (and the bundled setuptools where
 * ensurepip would). Interpreters without bundled wheels (Debian's) take the long way.
 */
export async function createVenv(
  basePython: string,
  venvPath: string,
  pipArgs: string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  removeVenv(venvPath);
  const [wheels, created] = await Promise.all([
    bundledWheels(basePython),
    execProgram(basePython, ['-m', 'venv', '--without-pip', venvPath]),
  ]);
  if (created.exitCode !== 0) {
    throw new SetupError(
      `Could not create a virtualenv at ${venvPath} with ${basePython} (exit ${created.exitCode}). Check that venv-path is writable; on Debian/Ubuntu system Pythons install the pythonX.Y-venv package.`,
    );
  }
  if (wheels) {
    if (await seedFromWheels(venvPath, wheels, pipArgs, env)) return;
  } else {
    core.info('No bundled pip wheel in this interpreter (ensurepip); seeding pip with ensurepip.');
  }
  await seedWithEnsurepip(venvPath, pipArgs, env);
}

/** ensurepip's wheels: pip's, and setuptools' where ensurepip installs it (Python < 3.12). */
export interface BundledWheels {
  pip: string;
  setuptools?: string;
}

/**
 * Finds the wheels `python -m ensurepip` would install, where that interpreter keeps them
 * (ensurepip/_bundled, or the distribution's WHEEL_PKG_DIR). Undefined when there is no pip wheel.
 */
export async function bundledWheels(basePython: string): Promise<BundledWheels | undefined> {
  const probe = await captureProgram(basePython, ['-I', '-c', BUNDLED_WHEELS_PROBE]).catch(
    () => undefined,
  );
  if (probe?.exitCode !== 0) return undefined;
  try {
    const found = JSON.parse(probe.stdout) as { pip?: string; setuptools?: string };
    if (typeof found.pip !== 'string' || !existsSync(found.pip)) return undefined;
    const setuptools =
      typeof found.setuptools === 'string' && existsSync(found.setuptools)
        ? found.setuptools
        : undefined;
    return { pip: found.pip, ...(setuptools ? { setuptools } : {}) };
  } catch {
    return undefined;
  }
}

/** Python 3.8+: prints {"pip": path, "setuptools": path} of ensurepip's wheels (what it installs). */
const BUNDLED_WHEELS_PROBE = `
import glob, json, os, sys, sysconfig
try:
    import ensurepip
except ImportError:
    print("{}"); sys.exit(0)
dirs = [os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")]
extra = sysconfig.get_config_var("WHEEL_PKG_DIR")
if extra:
    dirs.insert(0, extra)
found = {}
names = ["pip"] + (["setuptools"] if sys.version_info < (3, 12) else [])
for name in names:
    for d in dirs:
        wheels = sorted(glob.glob(os.path.join(d, name + "-*.whl")))
        if wheels:
            found[name] = wheels[-1]
            break
print(json.dumps(found))
`;

/** One pip, run from its bundled wheel, installs the newest pip (+ setuptools' bundled wheel). */
async function seedFromWheels(
  venvPath: string,
  wheels: BundledWheels,
  pipArgs: string[],
  env: NodeJS.ProcessEnv | undefined,
): Promise<boolean> {
  const python = venvPython(venvPath);
  const pipFromWheel = join(wheels.pip, 'pip');
  const extra = wheels.setuptools ? [wheels.setuptools] : [];
  const newest = await execProgram(
    python,
    [pipFromWheel, 'install', '--upgrade', 'pip', ...extra, ...pipArgs],
    { env },
  );
  if (newest.exitCode === 0) return true;
  // No index reachable: what ensurepip would have installed, from the wheels alone.
  const bundled = await execProgram(
    python,
    [pipFromWheel, 'install', '--no-index', wheels.pip, ...extra],
    { env },
  );
  if (bundled.exitCode === 0) {
    core.warning(
      `Could not upgrade pip in the virtualenv (exit ${newest.exitCode}); continuing with the pip bundled with Python.`,
    );
    return true;
  }
  return false;
}

/** The long way: ensurepip, then the upgrade; a failed upgrade keeps the pip ensurepip gave. */
async function seedWithEnsurepip(
  venvPath: string,
  pipArgs: string[],
  env: NodeJS.ProcessEnv | undefined,
): Promise<void> {
  const python = venvPython(venvPath);
  const seeded = await execProgram(python, ['-m', 'ensurepip', '--default-pip'], { env });
  if (seeded.exitCode !== 0) {
    throw new SetupError(
      `Could not install pip into the virtualenv at ${venvPath} (ensurepip exit ${seeded.exitCode}). On Debian/Ubuntu system Pythons install the pythonX.Y-venv package.`,
    );
  }
  const upgraded = await execProgram(
    python,
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
