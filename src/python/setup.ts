/**
 * The Python stage's one entry point: turn the request into version specs, try the sources in
 * order (tool cache, manifest, machine), and return the chosen interpreter with the reason.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLines } from '../runner/inputs.js';
import { InputError } from '../runner/errors.js';
import { coreLog, type Log } from '../runner/log.js';
import { readOsRelease } from '../runner/os-release.js';
import { fetchManifest, installFromManifest, type RetryDelays } from './download.js';
import { normalizeArchitecture } from './inputs.js';
import type { Interpreter, PythonSource } from './interpreter.js';
import {
  authorizationFor,
  manifestCandidates,
  pickCandidate,
  otherPlatformVersions,
  type ManifestCandidate,
  type ManifestRelease,
  type RunnerPlatform,
} from './manifest.js';
import {
  defaultSpec,
  parseVersionSpec,
  pickBest,
  pythonSpelling,
  sortVersions,
  type VersionSpec,
} from './spec.js';
import { findSystemInterpreters, type SystemInterpreter } from './system.js';
import { listToolCache, toolCacheEntryProblem, type ToolCacheEntry } from './toolCache.js';
import { readVersionFile } from './versionFile.js';

export { parsePythonSources, normalizeArchitecture, DEFAULT_SOURCES } from './inputs.js';
export { parseVersionSpec, type VersionSpec } from './spec.js';
export { interpreterExports, type JobExports } from './job-exports.js';
export { DEFAULT_MANIFEST_URL } from './manifest.js';
export type { PythonSource } from './interpreter.js';

export interface PythonRequest {
  /** Input python-version; '' when empty. Several lines are fallbacks: the first available wins. */
  versionSpec: string;
  /** Input python-version-file; '' when empty (then .python-version in workingDirectory, if any). */
  versionFile: string;
  /** Absolute; relative version files are resolved against it. */
  workingDirectory: string;
  /** x64, arm64, ... (any common spelling; see normalizeArchitecture). */
  architecture: string;
  allowPrereleases: boolean;
  /** Sources to try, in order. */
  sources: PythonSource[];
  manifestUrl: string;
  /** For downloads; never logged. */
  token: string;
  checkLatest: boolean;
  /** RUNNER_TOOL_CACHE. */
  toolCacheDir: string;
  /** Scratch space for downloads (default RUNNER_TEMP, else the OS temp folder). */
  tempDir?: string;
  /** Delays between download attempts (default @actions/tool-cache's 10-20 s). */
  retryDelays?: RetryDelays;
  /** Where PATH, PYENV_ROOT and GITHUB_SERVER_URL are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default: the job log through @actions/core. */
  log?: Log;
}

const SOURCE_LABELS: Record<PythonSource, string> = {
  'tool-cache': 'tool cache',
  manifest: 'manifest',
  system: 'system',
};

/**
 * The specs to try, in order: python-version (one per line), else python-version-file, else
 * .python-version in the working directory, else the newest 3.x.
 */
export function resolveSpecs(request: PythonRequest, log: Log = coreLog): VersionSpec[] {
  const options = { allowPrereleases: request.allowPrereleases };
  const lines = parseLines(request.versionSpec);
  if (lines.length > 0) {
    if (request.versionFile.trim()) {
      log.warning(
        `Both python-version and python-version-file are set; using python-version (${lines.join(', ')}).`,
      );
    }
    return lines.map((line) => parseVersionSpec(line, options));
  }
  if (request.versionFile.trim())
    return readVersionFile(request.versionFile.trim(), request.workingDirectory, options);
  if (existsSync(join(request.workingDirectory, '.python-version'))) {
    return readVersionFile('.python-version', request.workingDirectory, {
      ...options,
      input: 'python-version-file',
    });
  }
  return [defaultSpec()];
}

function describeSpec(spec: VersionSpec): string {
  return `"${spec.raw}" (${spec.origin})`;
}

function readRunnerPlatform(): RunnerPlatform {
  if (process.platform !== 'linux') return { platform: process.platform };
  const fields = readOsRelease();
  return { platform: 'linux', distro: fields.ID, version: fields.VERSION_ID };
}

interface ManifestState {
  releases: ManifestRelease[];
  candidates: ManifestCandidate[];
  error?: string;
}

/** Each source listed at most once per run, and only when it is reached. */
class Sources {
  private toolCacheEntries?: ToolCacheEntry[];
  private readonly probedEntries = new Set<ToolCacheEntry>();
  private manifestState?: Promise<ManifestState>;
  private systemInterpreters?: Promise<SystemInterpreter[]>;
  readonly runner = readRunnerPlatform();
  readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly request: PythonRequest,
    readonly arch: string,
    private readonly log: Log,
  ) {
    this.env = request.env ?? process.env;
  }

  toolCache(): ToolCacheEntry[] {
    this.toolCacheEntries ??= listToolCache(this.request.toolCacheDir, this.arch, (why) =>
      this.log.warning(why),
    );
    return this.toolCacheEntries;
  }

  /**
   * The entry, when its interpreter is the version its folder names; else a warning, and the
   * entry leaves the list. Only an entry about to be used is probed (one run of Python).
   */
  async usable(entry: ToolCacheEntry): Promise<boolean> {
    if (this.probedEntries.has(entry)) return true;
    const problem = await toolCacheEntryProblem(entry);
    if (problem) {
      this.log.warning(problem);
      this.toolCacheEntries = this.toolCache().filter((other) => other !== entry);
      return false;
    }
    this.probedEntries.add(entry);
    return true;
  }

  /** The newest usable tool cache entry that `spec` accepts. */
  async toolCacheMatch(spec: VersionSpec): Promise<ToolCacheEntry | undefined> {
    for (;;) {
      const entries = this.toolCache();
      const best = pickBest(
        spec,
        entries.map((entry) => entry.version),
      );
      const entry = entries.find((candidate) => candidate.version === best);
      if (!entry || (await this.usable(entry))) return entry;
    }
  }

  manifest(): Promise<ManifestState> {
    this.manifestState ??= fetchManifest(
      this.request.manifestUrl,
      this.downloadOptions(this.request.manifestUrl),
    ).then(
      (releases) => ({
        releases,
        candidates: manifestCandidates(releases, this.runner, this.arch),
      }),
      (error: Error) => {
        // Offline-safe: a manifest that cannot be read only removes this source.
        this.log.warning(`${error.message} Trying the other sources.`);
        return { releases: [], candidates: [], error: error.message };
      },
    );
    return this.manifestState;
  }

  system(): Promise<SystemInterpreter[]> {
    this.systemInterpreters ??= findSystemInterpreters(this.env, (why) => this.log.debug(why)).then(
      (all) =>
        all.filter((interpreter) => {
          const keep =
            interpreter.implementation === 'CPython' &&
            interpreter.prefix === interpreter.basePrefix &&
            interpreter.architecture === this.arch;
          if (!keep) {
            this.log.debug(
              `Skipping ${interpreter.executable}: ${interpreter.implementation} ${interpreter.architecture}` +
                `${interpreter.prefix !== interpreter.basePrefix ? ' inside a virtualenv' : ''}`,
            );
          }
          return keep;
        }),
    );
    return this.systemInterpreters;
  }

  downloadOptions(url: string) {
    return {
      authorization: authorizationFor(url, {
        token: this.request.token,
        manifestUrl: this.request.manifestUrl,
        serverUrl: this.env.GITHUB_SERVER_URL,
      }),
      tempDir: this.request.tempDir ?? (this.env.RUNNER_TEMP || tmpdir()),
      retryDelays: this.request.retryDelays,
    };
  }
}

function fromToolCache(entry: ToolCacheEntry, arch: string, why: string): Interpreter {
  return {
    version: entry.version,
    executable: entry.executable,
    prefix: entry.dir,
    source: 'tool-cache',
    architecture: arch,
    reason: `Using Python ${pythonSpelling(entry.version)} from the runner tool cache (${entry.dir}): ${why}.`,
  };
}

async function install(
  sources: Sources,
  request: PythonRequest,
  log: Log,
  candidate: ManifestCandidate,
  why: string,
) {
  const url = candidate.file.download_url;
  log.info(`Downloading Python ${pythonSpelling(candidate.version)} from ${url}`);
  const entry = await installFromManifest(candidate, {
    ...sources.downloadOptions(url),
    toolCacheDir: request.toolCacheDir,
    arch: sources.arch,
    log: (message) => log.info(message),
  });
  const interpreter: Interpreter = {
    version: entry.version,
    executable: entry.executable,
    prefix: entry.dir,
    source: 'manifest',
    architecture: sources.arch,
    reason: `Using Python ${pythonSpelling(entry.version)} downloaded from ${url} into the runner tool cache (${entry.dir}): ${why}.`,
  };
  return interpreter;
}

/** One source, one spec: an interpreter, or undefined when this source has no match. */
async function tryOne(
  source: PythonSource,
  spec: VersionSpec,
  sources: Sources,
  request: PythonRequest,
  log: Log,
  missed: string[],
): Promise<Interpreter | undefined> {
  const matched = `the newest match for ${describeSpec(spec)}${missed.length ? `; ${missed.join('; ')}` : ''}`;
  if (source === 'tool-cache') {
    const entry = await sources.toolCacheMatch(spec);
    return entry && fromToolCache(entry, sources.arch, `it is ${matched}`);
  }
  if (source === 'manifest') {
    const candidate = pickCandidate(spec, (await sources.manifest()).candidates);
    return candidate && install(sources, request, log, candidate, `it is ${matched}`);
  }
  const interpreters = await sources.system();
  const best = pickBest(
    spec,
    interpreters.map((interpreter) => interpreter.version),
  );
  const found = interpreters.find((interpreter) => interpreter.version === best);
  if (!found) return undefined;
  return {
    version: found.version,
    executable: found.executable,
    prefix: found.prefix,
    source: 'system',
    architecture: sources.arch,
    reason: `Using Python ${pythonSpelling(found.version)} found ${found.origin === 'PATH' ? 'on PATH' : 'in pyenv'} (${found.executable}): it is ${matched}.`,
  };
}

/** check-latest: the manifest's newest match wins, from the tool cache when it is already there. */
async function tryLatest(
  spec: VersionSpec,
  sources: Sources,
  request: PythonRequest,
  log: Log,
): Promise<Interpreter | undefined> {
  const latest = pickCandidate(spec, (await sources.manifest()).candidates);
  if (!latest) {
    log.info(
      `check-latest: the manifest has no match for ${describeSpec(spec)}; trying the sources in order.`,
    );
    return undefined;
  }
  const shown = pythonSpelling(latest.version);
  const found = request.sources.includes('tool-cache')
    ? sources.toolCache().find((entry) => entry.version === latest.version)
    : undefined;
  const cached = found && (await sources.usable(found)) ? found : undefined;
  if (cached)
    return fromToolCache(
      cached,
      sources.arch,
      `check-latest: ${shown} is the manifest's newest match for ${describeSpec(spec)}`,
    );
  const older = pickBest(
    spec,
    sources.toolCache().map((entry) => entry.version),
  );
  const why = older
    ? `check-latest: the manifest's newest match for ${describeSpec(spec)} is newer than the tool cache's ${pythonSpelling(older)}`
    : `check-latest: it is the manifest's newest match for ${describeSpec(spec)}`;
  return install(sources, request, log, latest, why);
}

function shortList(versions: string[], limit = 8): string {
  const shown = versions.slice(0, limit).map(pythonSpelling).join(', ');
  return versions.length > limit
    ? `${shown} (and ${versions.length - limit} more)`
    : shown || 'none';
}

/** The error when no source has any spec: what each source did have, and the fix. */
async function notAvailable(
  specs: VersionSpec[],
  request: PythonRequest,
  sources: Sources,
): Promise<InputError> {
  const available: string[] = [];
  for (const source of request.sources) {
    const label = SOURCE_LABELS[source];
    if (source === 'tool-cache') {
      available.push(
        `${label} ${shortList(sortVersions(sources.toolCache().map((e) => e.version)))}`,
      );
    } else if (source === 'manifest') {
      const state = await sources.manifest();
      if (state.error) {
        available.push(`${label} unreadable (${state.error})`);
        continue;
      }
      const versions = sortVersions(
        state.candidates.filter((c) => c.stable || request.allowPrereleases).map((c) => c.version),
      );
      const others = otherPlatformVersions(state.releases, sources.runner, sources.arch);
      const note =
        others.length > 0
          ? ` (this runner is ${sources.runner.distro ?? 'linux'} ${sources.runner.version ?? '?'}; other builds are for ${others.join(', ')})`
          : '';
      available.push(`${label} ${shortList(versions)}${note}`);
    } else {
      available.push(
        `${label} ${shortList(sortVersions((await sources.system()).map((i) => i.version)))}`,
      );
    }
  }
  const first = specs[0];
  const asked =
    specs.length === 1
      ? `${first.origin} "${first.raw}"`
      : `${first.origin.replace(/:\d+$/, '')} (${specs.map((s) => s.raw).join(', ')})`;
  return new InputError(
    `${asked} is not available for ${sources.arch}. Available: ${available.join('; ')}. ` +
      'Fix: ask for one of these versions (or a range that includes one), or add a source with python-source.',
  );
}

/** Finds or installs the interpreter the request asks for. Throws InputError with the fix. */
export async function setupPython(request: PythonRequest): Promise<Interpreter> {
  const log = request.log ?? coreLog;
  const arch = normalizeArchitecture(request.architecture);
  if (request.sources.length === 0)
    throw new InputError(
      'python-source is empty. Name at least one source (tool-cache, manifest, system).',
    );
  const specs = resolveSpecs(request, log);
  const sources = new Sources(request, arch, log);
  for (const spec of specs) {
    if (request.checkLatest && request.sources.includes('manifest')) {
      const latest = await tryLatest(spec, sources, request, log);
      if (latest) return announce(latest, log);
    }
    const missed: string[] = [];
    for (const source of request.sources) {
      const found = await tryOne(source, spec, sources, request, log, missed);
      if (found) return announce(found, log);
      missed.push(`the ${SOURCE_LABELS[source]} had none`);
      log.info(`No match for ${describeSpec(spec)} in the ${SOURCE_LABELS[source]}.`);
    }
  }
  throw await notAvailable(specs, request, sources);
}

function announce(interpreter: Interpreter, log: Log): Interpreter {
  log.info(interpreter.reason);
  return interpreter;
}
