/**
 * The download manifest (actions/python-versions `versions-manifest.json`): reading it and
 * choosing the archive built for this runner. Pure; fetching lives in download.ts.
 */
import { normalizeVersion, satisfies, sortVersions, type VersionSpec } from './spec.js';

export const DEFAULT_MANIFEST_URL =
  'https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json';

export interface ManifestFile {
  filename: string;
  arch: string;
  platform: string;
  platform_version?: string;
  download_url: string;
}

export interface ManifestRelease {
  version: string;
  stable: boolean;
  release_url?: string;
  files: ManifestFile[];
}

/** The runner as the manifest sees it. */
export interface RunnerPlatform {
  /** `linux`, `darwin` or `win32` (Node's names, which the manifest uses too). */
  platform: string;
  /** os-release ID on Linux (`ubuntu`, `debian`, ...), for messages. */
  distro?: string;
  /** os-release VERSION_ID on Linux (`22.04`); compared with `platform_version`. */
  version?: string;
}

/** One archive this runner can use. */
export interface ManifestCandidate {
  /** Canonical version (see normalizeVersion). */
  version: string;
  /** As the manifest spells it (the tool cache folder setup.sh creates uses it). */
  manifestVersion: string;
  stable: boolean;
  file: ManifestFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Parses and checks the manifest's shape; throws Error saying what is wrong (the caller names the URL). */
/** A string field of the manifest; anything else (missing, a number, an object) reads as ''. */
function textField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function parseManifest(text: string): ManifestRelease[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error('it is not a JSON array of releases');
  return data.filter(isObject).map((release) => ({
    version: textField(release.version),
    stable: release.stable !== false,
    release_url: typeof release.release_url === 'string' ? release.release_url : undefined,
    files: (Array.isArray(release.files) ? release.files : []).filter(isObject).map((file) => ({
      filename: textField(file.filename),
      arch: textField(file.arch),
      platform: textField(file.platform),
      platform_version:
        typeof file.platform_version === 'string' ? file.platform_version : undefined,
      download_url: textField(file.download_url),
    })),
  }));
}

/**
 * The file of a release for this runner. On Linux the builds are per Ubuntu release: a file
 * with `platform_version` is taken only when it equals the runner's VERSION_ID; a file without
 * one fits any version (mirrors and custom manifests often omit it). Elsewhere
 * `platform_version` is not compared: hosted macOS and Windows builds run on every supported
 * release of their OS.
 */
export function fileForRunner(
  release: ManifestRelease,
  runner: RunnerPlatform,
  arch: string,
): ManifestFile | undefined {
  const files = release.files.filter(
    (f) => f.platform === runner.platform && f.arch === arch && f.download_url,
  );
  if (runner.platform !== 'linux') return files[0];
  return (
    files.find((f) => f.platform_version !== undefined && f.platform_version === runner.version) ??
    files.find((f) => f.platform_version === undefined)
  );
}

/** Every release with an archive for this runner, newest first; pre-releases included (the spec decides). */
export function manifestCandidates(
  releases: readonly ManifestRelease[],
  runner: RunnerPlatform,
  arch: string,
): ManifestCandidate[] {
  const candidates: ManifestCandidate[] = [];
  for (const release of releases) {
    const version = normalizeVersion(release.version);
    const file = version ? fileForRunner(release, runner, arch) : undefined;
    if (version && file)
      candidates.push({ version, manifestVersion: release.version, stable: release.stable, file });
  }
  return sortedNewestFirst(candidates);
}

/** The newest candidate the spec accepts; a pre-release only when the spec allows pre-releases. */
export function pickCandidate(
  spec: VersionSpec,
  candidates: readonly ManifestCandidate[],
): ManifestCandidate | undefined {
  return sortedNewestFirst(candidates).find(
    (candidate) =>
      satisfies(spec, candidate.version) && (candidate.stable || spec.includePrerelease),
  );
}

function sortedNewestFirst(candidates: readonly ManifestCandidate[]): ManifestCandidate[] {
  const order = sortVersions(candidates.map((c) => c.version));
  return [...candidates].sort((a, b) => order.indexOf(a.version) - order.indexOf(b.version));
}

/**
 * Why a version may be missing for this runner although the manifest lists it: the OS
 * releases the manifest does have builds for, e.g. `ubuntu 22.04, 24.04`. Empty when none.
 */
export function otherPlatformVersions(
  releases: readonly ManifestRelease[],
  runner: RunnerPlatform,
  arch: string,
): string[] {
  if (runner.platform !== 'linux') return [];
  const versions = new Set<string>();
  for (const release of releases) {
    for (const file of release.files) {
      if (
        file.platform === runner.platform &&
        file.arch === arch &&
        file.platform_version !== undefined
      ) {
        if (file.platform_version !== runner.version) versions.add(file.platform_version);
      }
    }
  }
  return [...versions].sort();
}

const GITHUB_HOSTS = /(^|\.)github\.com$|(^|\.)githubusercontent\.com$/i;

export interface AuthContext {
  token: string;
  manifestUrl: string;
  /** GITHUB_SERVER_URL, so a GitHub Enterprise host counts as GitHub. */
  serverUrl?: string;
}

/**
 * The Authorization header for a download, or undefined. The token goes to GitHub's own hosts
 * (and the GitHub Enterprise server the job runs on), and to the origin of a manifest-url the
 * user set, which they chose to trust with it. It never goes to other hosts a manifest lists:
 * anyone who can edit a manifest could otherwise collect the token.
 */
export function authorizationFor(url: string, context: AuthContext): string | undefined {
  if (!context.token) return undefined;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const trusted =
    (target.protocol === 'https:' && GITHUB_HOSTS.test(target.hostname)) ||
    (context.serverUrl !== undefined && sameOrigin(target, context.serverUrl)) ||
    (context.manifestUrl !== DEFAULT_MANIFEST_URL && sameOrigin(target, context.manifestUrl));
  // Never in clear text over a network: plain http is only accepted on this machine's loopback.
  const privateTransport = target.protocol === 'https:' || LOOPBACK_HOSTS.has(target.hostname);
  return trusted && privateTransport ? `token ${context.token}` : undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sameOrigin(target: URL, other: string): boolean {
  try {
    return new URL(other).origin === target.origin;
  } catch {
    return false;
  }
}
