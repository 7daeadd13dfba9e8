/**
 * A runner-style tool cache made from the interpreters pyenv has on this machine:
 * `Python/<version>/<arch>` -> symlink to `$(pyenv root)/versions/<version>`, plus the
 * `<arch>.complete` marker, exactly what the hosted runners ship. Idempotent.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, arch as osArch } from 'node:os';
import { join } from 'node:path';

export function pyenvRoot(): string {
  return process.env.PYENV_ROOT || join(homedir(), '.pyenv');
}

/** The CPython 3 versions pyenv has (`3.11.7`, ...), oldest first. */
export function pyenvVersions(): string[] {
  const dir = join(pyenvRoot(), 'versions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^3\.\d+\.\d+$/.test(name) && existsSync(join(dir, name, 'bin', 'python')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The pyenv install prefix of one version. */
export function pyenvPrefix(version: string): string {
  return join(pyenvRoot(), 'versions', version);
}

/** The architecture folder name the runner would use on this machine. */
export function machineArch(): string {
  const arch = osArch();
  return arch === 'ia32' ? 'x86' : arch;
}

/**
 * Lays out `dir` as a runner tool cache holding `versions` (default: every 3.x pyenv has) and
 * returns the versions laid out. Versions pyenv does not have are an error, so a test cannot
 * silently run against less than it asked for.
 */
export function layoutToolCache(
  dir: string,
  versions: string[] = pyenvVersions(),
  arch: string = machineArch(),
): string[] {
  const available = new Set(pyenvVersions());
  for (const version of versions) {
    if (!available.has(version)) {
      throw new Error(
        `pyenv has no Python ${version} (it has ${[...available].join(', ') || 'none'})`,
      );
    }
    const versionDir = join(dir, 'Python', version);
    const entry = join(versionDir, arch);
    mkdirSync(versionDir, { recursive: true });
    if (existsSync(entry) || isSymlink(entry)) rmSync(entry, { recursive: true, force: true });
    symlinkSync(pyenvPrefix(version), entry, 'dir');
    writeFileSync(join(versionDir, `${arch}.complete`), '');
  }
  return versions;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
