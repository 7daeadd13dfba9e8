/** Shared pieces of the Python stage's tests. */
import { execFileSync } from 'node:child_process';
import type { PythonRequest } from '../../src/python/setup.js';
import type { Log } from '../../src/runner/log.js';

export interface CollectedLog extends Log {
  lines: string[];
  text(): string;
}

/** A log that keeps what the stage said, so tests can check the reasons it gives. */
export function collectingLog(): CollectedLog {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
    text: () => lines.join('\n'),
  };
}

export function request(
  overrides: Partial<PythonRequest> & Pick<PythonRequest, 'toolCacheDir' | 'workingDirectory'>,
): PythonRequest {
  return {
    versionSpec: '',
    versionFile: '',
    architecture: 'x64',
    allowPrereleases: false,
    sources: ['tool-cache', 'system'],
    manifestUrl: 'http://127.0.0.1:9/versions-manifest.json',
    token: '',
    checkLatest: false,
    retryDelays: { minSeconds: 0, maxSeconds: 0 },
    log: collectingLog(),
    ...overrides,
  };
}

/** What the interpreter itself says its version is (asked directly, not through the stage). */
export function reportedVersion(executable: string): string {
  return execFileSync(executable, ['-c', 'import platform; print(platform.python_version())'], {
    encoding: 'utf8',
  }).trim();
}
