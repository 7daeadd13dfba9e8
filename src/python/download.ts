/**
 * The network and install edge of the manifest source: fetch the manifest, download an
 * archive, extract it, run its setup.sh (which installs into the tool cache), and check the
 * result. Whatever fails, no half-written tool cache entry is left behind.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, InputError, SetupError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';
import { parseManifest, type ManifestCandidate, type ManifestRelease } from './manifest.js';
import { probeInterpreter } from './probe.js';
import { normalizeVersion, pythonSpelling } from './spec.js';
import {
  completeMarker,
  entryDir,
  executableIn,
  pythonToolDir,
  removeEntry,
  type ToolCacheEntry,
} from './toolCache.js';

/**
 * Delays between download attempts. @actions/tool-cache makes 3 attempts, retrying 5xx, 408,
 * 429 and connection errors (never other 4xx), sleeping a random 10-20 s in between. Its only
 * knob for the delay is a pair of globals it reads on every call; tests set them to 0.
 */
export interface RetryDelays {
  minSeconds: number;
  maxSeconds: number;
}

export interface DownloadOptions {
  /** `Authorization` header value, or undefined. Never logged. */
  authorization?: string;
  tempDir: string;
  retryDelays?: RetryDelays;
}

// Loaded on first use: the tool cache path of the action should not pay for it on every run.
async function toolCache() {
  return import('@actions/tool-cache');
}

function applyRetryDelays(delays: RetryDelays | undefined): void {
  if (!delays) return;
  const globals = globalThis as Record<string, unknown>;
  globals.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = delays.minSeconds;
  globals.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = delays.maxSeconds;
}

/** The status of a tool-cache HTTPError, or undefined for other errors. */
function httpStatus(error: unknown): number | undefined {
  const status = (error as { httpStatusCode?: unknown }).httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Downloads `url` to a new file under `tempDir` and returns its path. Errors say what was
 * fetched (`what`), from where, what went wrong, and `fix`.
 */
export async function downloadToFile(
  url: string,
  what: string,
  fix: string,
  options: DownloadOptions,
): Promise<string> {
  const tc = await toolCache();
  mkdirSync(options.tempDir, { recursive: true });
  const dest = join(options.tempDir, `python-download-${randomUUID()}`);
  applyRetryDelays(options.retryDelays);
  try {
    return await tc.downloadTool(url, dest, options.authorization);
  } catch (error) {
    rmSync(dest, { force: true });
    const status = httpStatus(error);
    const why =
      status === 404
        ? 'HTTP 404 Not Found'
        : status !== undefined
          ? `HTTP ${status}${status >= 500 || status === 429 || status === 408 ? ' (after 3 attempts)' : ''}`
          : `${errorMessage(error)} (after 3 attempts)`;
    // A 404 is the URL's fault (manifest-url or what it lists); the rest is the network's.
    const Failure = status === 404 ? InputError : SetupError;
    throw new Failure(`Could not download ${what} from ${url}: ${why}. ${fix}`);
  }
}

/**
 * Fetches and parses the manifest. Throws InputError when manifest-url is not a manifest (or is
 * not there), SetupError when the download kept failing.
 */
export async function fetchManifest(
  url: string,
  options: DownloadOptions,
): Promise<ManifestRelease[]> {
  const file = await downloadToFile(
    url,
    'the Python versions manifest',
    'Check manifest-url (it must serve a versions-manifest.json), or leave "manifest" out of python-source to use only the tool cache and the machine.',
    options,
  );
  try {
    return parseManifest(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(
      `manifest-url ${url} did not return a versions manifest: ${(error as Error).message}. ` +
        'Point manifest-url at a file in the actions/python-versions versions-manifest.json format.',
    );
  } finally {
    rmSync(file, { force: true });
  }
}

export interface InstallOptions extends DownloadOptions {
  toolCacheDir: string;
  arch: string;
  log: (message: string) => void;
}

/** Tool cache folders (under Python/) that hold `version`, whatever spelling setup.sh used. */
function versionDirNames(toolCacheDir: string, version: string): string[] {
  const root = pythonToolDir(toolCacheDir);
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((name) => normalizeVersion(name) === version);
}

function removeVersion(toolCacheDir: string, version: string, arch: string): void {
  for (const name of versionDirNames(toolCacheDir, version)) removeEntry(toolCacheDir, name, arch);
}

/** The installed entry, when setup.sh left a complete one with an interpreter of the right version. */
async function verifyInstall(
  candidate: ManifestCandidate,
  options: InstallOptions,
): Promise<ToolCacheEntry> {
  for (const name of versionDirNames(options.toolCacheDir, candidate.version)) {
    const dir = entryDir(options.toolCacheDir, name, options.arch);
    if (!existsSync(completeMarker(options.toolCacheDir, name, options.arch))) continue;
    const executable = executableIn(dir);
    if (!executable) throw new Error(`setup.sh left no python executable in ${dir}`);
    const probe = await probeInterpreter(executable);
    if (!probe) throw new Error(`the installed ${executable} does not run`);
    if (probe.version !== candidate.version) {
      throw new Error(
        `the installed interpreter reports ${pythonSpelling(probe.version)}, not ${pythonSpelling(candidate.version)}`,
      );
    }
    return { version: candidate.version, dir, executable };
  }
  throw new Error(
    `setup.sh did not create ${join(pythonToolDir(options.toolCacheDir), candidate.manifestVersion, `${options.arch}.complete`)}`,
  );
}

/**
 * Downloads, extracts and installs one manifest archive into the tool cache. On any failure the
 * entry for that version and architecture is removed, so a later run cannot pick up a broken one.
 */
export async function installFromManifest(
  candidate: ManifestCandidate,
  options: InstallOptions,
): Promise<ToolCacheEntry> {
  if (process.platform === 'win32') {
    throw new InputError(
      'Installing Python from the manifest is not supported on Windows runners yet. Use the runner tool cache (python-source: tool-cache) or an installed Python (python-source: system).',
    );
  }
  const url = candidate.file.download_url;
  const shown = pythonSpelling(candidate.version);
  const archive = await downloadToFile(
    url,
    `Python ${shown}`,
    'Check that manifest-url lists archives that exist (a mirror must serve every file it lists), or choose another python-version.',
    options,
  );
  const extractDir = join(options.tempDir, `python-${candidate.version}-${randomUUID()}`);
  // A leftover from an interrupted install must not mix with this one.
  removeVersion(options.toolCacheDir, candidate.version, options.arch);
  try {
    const tc = await toolCache();
    try {
      await tc.extractTar(archive, extractDir);
    } catch (error) {
      throw new Error(
        `the archive could not be extracted (${errorMessage(error)}); it may be truncated`,
      );
    }
    if (!existsSync(join(extractDir, 'setup.sh'))) throw new Error('the archive has no setup.sh');
    // The archive's own installer: argv only, cwd the extracted folder, told where the tool cache is.
    const result = await execProgram('bash', ['./setup.sh'], {
      cwd: extractDir,
      echo: false,
      env: {
        ...process.env,
        RUNNER_TOOL_CACHE: options.toolCacheDir,
        AGENT_TOOLSDIRECTORY: options.toolCacheDir,
      },
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `its setup.sh failed with exit code ${result.exitCode}:\n${result.output.trim().slice(-2000)}`,
      );
    }
    const entry = await verifyInstall(candidate, options);
    options.log(`Installed Python ${shown} from ${url} into ${entry.dir}`);
    return entry;
  } catch (error) {
    removeVersion(options.toolCacheDir, candidate.version, options.arch);
    throw new SetupError(
      `Could not install Python ${shown} from ${url}: ${errorMessage(error)}. ` +
        'Nothing was left in the tool cache; re-run the job, or check the archive at manifest-url.',
    );
  } finally {
    rmSync(archive, { force: true });
    rmSync(extractDir, { recursive: true, force: true });
  }
}
