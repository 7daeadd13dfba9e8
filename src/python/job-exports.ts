/**
 * What later steps see of the chosen interpreter: the variables and PATH entries setup-python
 * exports. Pure: the caller writes them with core.exportVariable / core.addPath.
 */
import { dirname, join } from 'node:path';
import type { Interpreter } from './interpreter.js';

export interface JobExports {
  /** Variables to export, in a stable order. */
  variables: Record<string, string>;
  /** Folders to put on PATH, in the order to add them (core.addPath prepends, so the last wins). */
  path: string[];
}

export function interpreterExports(
  interpreter: Interpreter,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): JobExports {
  const prefix = interpreter.prefix;
  const variables: Record<string, string> = {
    pythonLocation: prefix,
    // CMake's FindPython / FindPython3 look here first.
    Python_ROOT_DIR: prefix,
    Python3_ROOT_DIR: prefix,
    PKG_CONFIG_PATH: join(prefix, 'lib', 'pkgconfig'),
  };
  // Tool cache builds link libpython dynamically and expect its folder on the loader path, as
  // setup-python arranges. A system interpreter already has its library where the loader looks.
  if (platform === 'linux' && interpreter.source !== 'system') {
    const libDir = join(prefix, 'lib');
    const current = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
    if (!current.includes(libDir)) variables.LD_LIBRARY_PATH = [libDir, ...current].join(':');
  }
  // A system interpreter's prefix may be /usr: put only its own folder first, not all of /usr.
  const path =
    interpreter.source === 'system'
      ? [dirname(interpreter.executable)]
      : platform === 'win32'
        ? [prefix, join(prefix, 'Scripts')]
        : [prefix, join(prefix, 'bin')];
  return { variables, path };
}
