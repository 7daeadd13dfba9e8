/**
 * Interpreters already on the machine (self-hosted runners): `python3`, `python3.X` and
 * `python` on PATH, and pyenv's `versions/*`. Each distinct interpreter is probed once.
 */
import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { probeInterpreter, type ProbeResult } from './probe.js';

export interface SystemInterpreter extends ProbeResult {
  /** The path found (kept as found: `/usr/bin/python3`, not its symlink target). */
  executable: string;
  /** Where it was found, for the log. */
  origin: 'PATH' | 'pyenv';
}

export interface SystemCandidate {
  executable: string;
  origin: 'PATH' | 'pyenv';
}

const PATH_NAMES = /^python(3(\.\d+)?)?(\.exe)?$/;

export function pyenvRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYENV_ROOT || join(homedir(), '.pyenv');
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Candidate executables in the order they are preferred on a tie: PATH order first, then pyenv.
 * pyenv's shims folder is skipped: a shim is a shell script that picks a version by the current
 * folder; the versions behind it are listed directly instead.
 */
export function systemCandidates(env: NodeJS.ProcessEnv = process.env): SystemCandidate[] {
  const root = pyenvRoot(env);
  const shims = resolve(root, 'shims');
  const found: SystemCandidate[] = [];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (resolve(dir) === shims) continue;
    for (const name of safeReaddir(dir).filter((n) => PATH_NAMES.test(n))) {
      const executable = join(dir, name);
      if (isExecutableFile(executable)) found.push({ executable, origin: 'PATH' });
    }
  }
  for (const version of safeReaddir(join(root, 'versions'))) {
    const bin = join(root, 'versions', version, 'bin');
    const executable = [join(bin, 'python3'), join(bin, 'python')].find(isExecutableFile);
    if (executable) found.push({ executable, origin: 'pyenv' });
  }
  return found;
}

/**
 * The virtualenv an executable belongs to, if any: Python itself decides by a pyvenv.cfg next
 * to the executable or one folder up, looking at the path as called (not its symlink target).
 */
export function virtualenvOf(executable: string): string | undefined {
  const binDir = dirname(executable);
  return [binDir, dirname(binDir)].find((dir) => existsSync(join(dir, 'pyvenv.cfg')));
}

/** Probe results by real path, so one interpreter reached by several names runs once per process. */
const probed = new Map<string, Promise<ProbeResult | undefined>>();

function probeOnce(executable: string): Promise<ProbeResult | undefined> {
  let key: string;
  try {
    key = realpathSync(executable);
  } catch {
    return Promise.resolve(undefined);
  }
  let result = probed.get(key);
  if (!result) {
    result = probeInterpreter(executable);
    probed.set(key, result);
  }
  return result;
}

/**
 * Every working interpreter found, one per real path, in candidate order. `skipped` hears about
 * candidates that did not answer the probe.
 */
export async function findSystemInterpreters(
  env: NodeJS.ProcessEnv = process.env,
  skipped: (why: string) => void = () => {},
): Promise<SystemInterpreter[]> {
  const seen = new Set<string>();
  const unique = systemCandidates(env).filter((candidate) => {
    if (!existsSync(candidate.executable)) return false;
    const venv = virtualenvOf(candidate.executable);
    if (venv) {
      // The action makes its own virtualenv; another one is not an installation to build on.
      skipped(`Skipping ${candidate.executable}: it is inside the virtualenv ${venv}`);
      return false;
    }
    const key = realpathSync(candidate.executable);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // A handful at a time: the machine has few cores and other work running.
  const results: (ProbeResult | undefined)[] = [];
  for (let start = 0; start < unique.length; start += 4) {
    const batch = unique.slice(start, start + 4);
    results.push(...(await Promise.all(batch.map((candidate) => probeOnce(candidate.executable)))));
  }
  const interpreters: SystemInterpreter[] = [];
  unique.forEach((candidate, index) => {
    const result = results[index];
    if (!result)
      skipped(`${candidate.executable} did not run (or did not answer the version probe)`);
    else interpreters.push({ ...result, ...candidate });
  });
  return interpreters;
}
