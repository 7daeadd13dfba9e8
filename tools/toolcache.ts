/**
 * The CPython interpreters this machine has, wherever they live, and a runner-style tool cache
 * made from them: `Python/<version>/<arch>` -> symlink to the install prefix, plus the
 * `<arch>.complete` marker, exactly what the hosted runners ship. Idempotent.
 *
 * Interpreters come from `$RUNNER_TOOL_CACHE/Python` (GitHub's runners, after
 * actions/setup-python) and from pyenv's `versions/` (our machines), read from disk so that
 * neither the `pyenv` binary nor any particular patch version is needed.
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
import { join, resolve } from 'node:path';

export interface MachinePython {
  /** `3.11.7` */
  version: string;
  /** Install prefix: `<prefix>/bin/python` runs it. */
  prefix: string;
  origin: 'tool-cache' | 'pyenv';
}

const RELEASE = /^3\.\d+\.\d+$/;

export function pyenvRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYENV_ROOT || join(homedir(), '.pyenv');
}

/** The architecture folder name the runner would use on this machine. */
export function machineArch(): string {
  const arch = osArch();
  return arch === 'ia32' ? 'x86' : arch;
}

function runnerToolCachePythons(env: NodeJS.ProcessEnv): MachinePython[] {
  const dir = env.RUNNER_TOOL_CACHE ? join(env.RUNNER_TOOL_CACHE, 'Python') : '';
  if (!dir || !existsSync(dir)) return [];
  const arch = machineArch();
  return readdirSync(dir)
    .filter((name) => RELEASE.test(name))
    .filter((name) => existsSync(join(dir, name, `${arch}.complete`)))
    .map((name) => ({
      version: name,
      prefix: join(dir, name, arch),
      origin: 'tool-cache' as const,
    }))
    .filter((python) => existsSync(join(python.prefix, 'bin', 'python')));
}

function pyenvPythons(env: NodeJS.ProcessEnv): MachinePython[] {
  const dir = join(pyenvRoot(env), 'versions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => RELEASE.test(name) && existsSync(join(dir, name, 'bin', 'python')))
    .map((name) => ({ version: name, prefix: join(dir, name), origin: 'pyenv' as const }));
}

/** Every CPython 3 release on the machine, one per version (the runner's first), oldest first. */
export function machinePythons(env: NodeJS.ProcessEnv = process.env): MachinePython[] {
  const byVersion = new Map<string, MachinePython>();
  for (const python of [...runnerToolCachePythons(env), ...pyenvPythons(env)]) {
    if (!byVersion.has(python.version)) byVersion.set(python.version, python);
  }
  return [...byVersion.values()].sort((a, b) =>
    a.version.localeCompare(b.version, 'en', { numeric: true }),
  );
}

/** The CPython 3 versions the machine has (`3.11.7`, ...), oldest first. */
export function machineVersions(): string[] {
  return machinePythons().map((python) => python.version);
}

/** The install prefix of one version the machine has. */
export function machinePrefix(version: string): string {
  const found = machinePythons().find((python) => python.version === version);
  if (!found) throw new Error(missing(`Python ${version}`));
  return found.prefix;
}

/** The newest release of a minor line (`3.11` -> `3.11.7`) the machine has. */
export function newestPatch(minor: string): string {
  const found = machineVersions().filter((version) => version.startsWith(`${minor}.`));
  if (found.length === 0) throw new Error(missing(`Python ${minor}.x`));
  return found.at(-1)!;
}

function missing(what: string): string {
  const have = machineVersions().join(', ') || 'none';
  return `This machine has no ${what} (it has ${have}): install it with actions/setup-python (RUNNER_TOOL_CACHE) or pyenv.`;
}

/** @deprecated Same as machineVersions (the interpreters need not come from pyenv). */
export const pyenvVersions = machineVersions;
/** @deprecated Same as machinePrefix. */
export const pyenvPrefix = machinePrefix;

/**
 * Lays out `dir` as a runner tool cache holding `versions` (default: every 3.x the machine has)
 * and returns the versions laid out. Versions the machine does not have are an error, so a test
 * cannot silently run against less than it asked for.
 */
export function layoutToolCache(
  dir: string,
  versions: string[] = machineVersions(),
  arch: string = machineArch(),
): string[] {
  const available = new Map(machinePythons().map((python) => [python.version, python.prefix]));
  for (const version of versions) {
    const prefix = available.get(version);
    if (!prefix) throw new Error(missing(`Python ${version}`));
    const versionDir = join(dir, 'Python', version);
    const entry = join(versionDir, arch);
    if (resolve(entry) === resolve(prefix)) continue; // `dir` is the machine's own tool cache
    mkdirSync(versionDir, { recursive: true });
    if (existsSync(entry) || isSymlink(entry)) rmSync(entry, { recursive: true, force: true });
    symlinkSync(prefix, entry, 'dir');
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
