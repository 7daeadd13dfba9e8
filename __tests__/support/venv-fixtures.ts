/** Shared fixtures of the cache tests: real interpreters of the machine, real venvs, a log recorder. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { CacheLog } from '../../src/deps/cache/backend.js';
import { machinePrefix, newestPatch } from '../../tools/toolcache.js';

export interface TestPython {
  executable: string;
  /** Full version as `platform.python_version()` prints it. */
  version: string;
}

let cached: TestPython | undefined;

/** The machine's newest CPython 3.11 (tool cache or pyenv), asked for its own version. */
export function systemPython(): TestPython {
  if (cached) return cached;
  const executable = join(machinePrefix(newestPatch('3.11')), 'bin', 'python3');
  const version = execFileSync(
    executable,
    ['-c', 'import platform; print(platform.python_version())'],
    {
      encoding: 'utf8',
    },
  ).trim();
  cached = { executable, version };
  return cached;
}

/** A real venv; without pip unless asked, which keeps it small (~20 kB) and fast (~0.1 s). */
export function makeVenv(python: string, path: string, options: { withPip?: boolean } = {}): void {
  execFileSync(python, ['-m', 'venv', ...(options.withPip ? [] : ['--without-pip']), path], {
    stdio: 'pipe',
  });
}

export interface RecordingLog extends CacheLog {
  infos: string[];
  warnings: string[];
}

export function recordingLog(): RecordingLog {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warning: (m) => warnings.push(m) };
}

/** A venv at `path` with coverage.py (pip, as configured on the machine); returns its python. */
export function coverageVenv(path: string): string {
  makeVenv(systemPython().executable, path, { withPip: true });
  const python = join(path, 'bin/python');
  execFileSync(python, ['-m', 'pip', 'install', '-q', 'coverage'], { stdio: 'pipe' });
  return python;
}
