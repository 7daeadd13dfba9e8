/** What the key needs to know about the runner's OS: its name, distro/version and CPU. */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

export interface OsFacts {
  /** `Linux`, `macOS` or `Windows`, as `RUNNER_OS` spells them. */
  os: string;
  /** `ubuntu24.04`, `darwin23`, `10.0.20348`, ... */
  osVersion: string;
  /** `x64`, `arm64`, ... (lower case). */
  arch: string;
}

const RUNNER_OS_BY_PLATFORM: Record<string, string> = {
  linux: 'Linux',
  darwin: 'macOS',
  win32: 'Windows',
};

/** Reads RUNNER_OS/RUNNER_ARCH when the runner set them, else asks Node and /etc/os-release. */
export function runnerOsFacts(env: NodeJS.ProcessEnv = process.env): OsFacts {
  const platform = process.platform;
  return {
    os: env.RUNNER_OS || RUNNER_OS_BY_PLATFORM[platform] || platform,
    osVersion: osVersionOf(platform, os.release(), readOsRelease),
    arch: (env.RUNNER_ARCH || os.arch()).toLowerCase(),
  };
}

/**
 * Linux: distro id + version from os-release (a venv's compiled wheels depend on its glibc,
 * not on the kernel). macOS: the Darwin major only, since point releases keep binaries working.
 * Windows: the full build number.
 */
export function osVersionOf(
  platform: string,
  release: string,
  readOsReleaseText: () => string | undefined,
): string {
  if (platform === 'linux') {
    const fields = parseOsRelease(readOsReleaseText() ?? '');
    if (fields.ID) return `${fields.ID}${fields.VERSION_ID ?? ''}`;
    return `kernel${release}`;
  }
  if (platform === 'darwin') return `darwin${release.split('.')[0]}`;
  return release;
}

/** Parses the KEY=value (optionally quoted) lines of os-release(5). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

function readOsRelease(): string | undefined {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      // try the next location os-release(5) names
    }
  }
  return undefined;
}
