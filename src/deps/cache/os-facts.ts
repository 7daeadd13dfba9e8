/** What the key needs to know about the runner's OS: its name, distro/version and CPU. */
import * as os from 'node:os';
import { normalizeArchitecture } from '../../python/inputs.js';
import { readOsRelease, type OsReleaseFields } from '../../runner/os-release.js';

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
    arch: keyArchitecture(env.RUNNER_ARCH, os.arch()),
  };
}

/**
 * The key's CPU name. The runner's RUNNER_ARCH (X64, ARM64, X86, ARM) goes through
 * normalizeArchitecture, which spells those as the key always has (their lower case). Without
 * RUNNER_ARCH, Node's os.arch() is kept as is: it is lower case already, and its `ia32` must stay
 * `ia32` (normalizeArchitecture says x86), so keys written off a runner keep their name. A
 * RUNNER_ARCH normalizeArchitecture does not know keeps its lower case, never an error.
 */
export function keyArchitecture(runnerArch: string | undefined, nodeArch: string): string {
  if (!runnerArch) return nodeArch.toLowerCase();
  try {
    return normalizeArchitecture(runnerArch);
  } catch {
    return runnerArch.toLowerCase();
  }
}

/**
 * Linux: distro id + version from os-release (a venv's compiled wheels depend on its glibc,
 * not on the kernel). macOS: the Darwin major only, since point releases keep binaries working.
 * Windows: the full build number.
 */
export function osVersionOf(
  platform: string,
  release: string,
  readOsReleaseFields: () => OsReleaseFields,
): string {
  if (platform === 'linux') {
    const fields = readOsReleaseFields();
    if (fields.ID) return `${fields.ID}${fields.VERSION_ID ?? ''}`;
    return `kernel${release}`;
  }
  if (platform === 'darwin') return `darwin${release.split('.')[0]}`;
  return release;
}
