/**
 * The dependency stage: a virtualenv with everything the project declares, plus pytest. With
 * `cache: venv` the whole venv is restored when nothing that shapes it changed (and it passes
 * verification), else the nearest one of the same shape, updated incrementally (incremental.ts);
 * with `cache: pip` only pip's download cache is.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { errorMessage } from '../runner/errors.js';
import type { Interpreter } from '../python/interpreter.js';
import type { CacheBackend, CacheLog } from './cache/backend.js';
import { boundedBackend } from './cache/bounded.js';
import { hashFiles } from './cache/hash-files.js';
import { hashLocalPaths } from './cache/hash-tree.js';
import { collectKeyFiles, collectLocalPaths } from './cache/key-files.js';
import { buildCacheKey, restorePrefix, type CacheKind } from './cache/key.js';
import { runnerOsFacts } from './cache/os-facts.js';
import { isTrustedEvent, type CacheEvent, type CacheSavePolicy } from './cache/policy.js';
import { loadCacheSecret } from './cache/secret.js';
import { chooseBackend, type CacheMode } from './cache/select.js';
import { entriesBoundToPaths, stagingPath } from './cache/staging.js';
import { verifyRestoredVenv } from './cache/verify.js';
import { updateIncrementally } from './incremental.js';
import { installAll, refreshProject } from './install.js';
import { planProjectRefresh, type InstallSpec } from './plan.js';
import { deferredLog } from './deferred-log.js';
import { checkInPlace, writeMarker, type InPlaceAuth } from './in-place.js';
import { restorePipFallback, type PipFallback } from './pip-fallback.js';
import { startSave, type PendingSave } from './save.js';
import { createVenv, removeVenv, venvBinDir, venvPython } from './venv.js';

/** The virtualenv later stages run in, as prepared (restored or installed). */
export interface PreparedVenv {
  venvPath: string;
  /** The venv's python executable. */
  python: string;
  binDir: string;
  /** True when the venv came whole from the cache and passed verification. */
  cacheHit: boolean;
  /** Empty when caching is off. */
  cacheKey: string;
  /**
   * The cache save started for this venv, running while the tests do; the caller completes it
   * (awaits it and prints its log) before the step ends. Undefined when nothing is saved.
   */
  pendingSave?: PendingSave;
}

export interface CacheSettings {
  mode: CacheMode;
  /** `cache-dir`; empty: chosen automatically. */
  dir: string;
  /** `cache-dependency-path` patterns. */
  dependencyPath: string[];
  keySuffix: string;
  /** `cache-local-secret`; '' for the key file in the home folder. */
  localSecret: string;
  /** `cache-timeout`, in seconds, for each restore and save. */
  timeoutSeconds: number;
  /** `cache-local-max-size` in bytes (0 or undefined: no limit). */
  localMaxBytes?: number;
  /** `cache-save`: which runs save (default `always`, for callers that do not say). */
  save?: CacheSavePolicy;
  /** `cache-max-size` in bytes: larger environments are not saved (0 or undefined: no limit). */
  maxSaveBytes?: number;
}

export interface VenvRequest {
  venvPath: string;
  workingDirectory: string;
  install: InstallSpec;
  /** Requirement files with their -r/-c includes. */
  dependencyFiles: string[];
  cache: CacheSettings;
  /** Where pip's cache lives with `cache: pip`. */
  scratchDir: string;
  /** The run's event: whether it may save, and how far its local entries are trusted. */
  event: CacheEvent;
}

/** The inputs that change what ends up installed, as they go into the key. */
function installSettings(install: InstallSpec): Record<string, string> {
  return {
    requirements: install.requirementFiles.join('\n'),
    project: install.project
      ? `${install.project.editable ? 'editable ' : ''}[${install.project.extras.join(',')}]`
      : '',
    'dependency-groups': install.dependencyGroups.join(','),
    packages: install.packages.join('\n'),
    'pip-args': install.pipArgs.join('\n'),
    'test-tools': (install.testTools ?? []).join(','),
  };
}

async function cacheKeyFor(
  request: VenvRequest,
  interpreter: Interpreter,
  cachedPath: string,
  kind: CacheKind = request.cache.mode === 'pip' ? 'pip' : 'venv',
): Promise<string> {
  const files = collectKeyFiles({
    workingDirectory: request.workingDirectory,
    requirementFiles: request.dependencyFiles,
    cacheDependencyPath: request.cache.dependencyPath,
  });
  const localPaths = collectLocalPaths({
    workingDirectory: request.workingDirectory,
    requirementFiles: request.dependencyFiles,
    packages: request.install.packages,
    pipArgs: request.install.pipArgs,
    projectInstalled: request.install.project !== null,
  });
  // The venv (and pip's cache) may sit inside a local path, e.g. `-e ..` from a subfolder.
  const local = await hashLocalPaths(localPaths, request.workingDirectory, [
    request.venvPath,
    cachedPath,
  ]);
  return buildCacheKey({
    kind,
    ...runnerOsFacts(),
    pythonVersion: interpreter.version,
    pythonImplementation: 'cpython',
    pythonExecutable: interpreter.executable,
    venvPath: cachedPath,
    files: [...(await hashFiles(files, request.workingDirectory)), ...local],
    settings: installSettings(request.install),
    suffix: request.cache.keySuffix,
  });
}

function installContext(request: VenvRequest) {
  return { workingDirectory: request.workingDirectory, requirementFiles: request.dependencyFiles };
}

/**
 * What authenticates the in-place marker, on runners that keep folders between jobs (not
 * GitHub-hosted ones, which start clean): the local cache's secret and this run's event.
 */
function inPlaceAuth(request: VenvRequest): InPlaceAuth | undefined {
  if (process.env.RUNNER_ENVIRONMENT === 'github-hosted') return undefined;
  const secret = loadCacheSecret({
    input: request.cache.localSecret,
    forbidden: [process.env.GITHUB_WORKSPACE ?? '', request.venvPath],
  });
  if (secret instanceof Error) return undefined;
  return { secret, run: { event: request.event.name, trusted: isTrustedEvent(request.event) } };
}

/** A venv restored from another key: made equal to a fresh install, or the reason it was not. */
function updateFromNearest(
  request: VenvRequest,
  interpreter: Interpreter,
  restoredKey: string,
): Promise<string | undefined> {
  return updateIncrementally({
    python: venvPython(request.venvPath),
    pythonVersion: interpreter.version,
    spec: request.install,
    context: installContext(request),
    restoredKey,
    scratchDir: request.scratchDir,
  });
}

/**
 * Restores the entry (or the nearest by prefix) to `cachedPath`. A venv from a backend bound to
 * paths is unpacked at the staging path it was saved from, then moved into place (staging.ts).
 */
async function restoreInto(
  backend: CacheBackend,
  request: VenvRequest,
  key: string,
  cachedPath: string,
): Promise<string | undefined> {
  const prefixes = [restorePrefix(key)];
  if (!(request.cache.mode === 'venv' && entriesBoundToPaths(backend)))
    return backend.restore(key, [cachedPath], prefixes);
  const staging = stagingPath(cachedPath);
  rmSync(staging, { recursive: true, force: true });
  const restored = await backend.restore(key, [staging], prefixes);
  if (restored) renameSync(staging, cachedPath);
  return restored;
}

async function install(
  request: VenvRequest,
  interpreter: Interpreter,
  python: string,
  pipCacheDir?: string,
  beforeVenv?: () => Promise<void>,
): Promise<void> {
  // pip's cache goes where `cache: pip` saves it from, for these pip runs only.
  const env = pipCacheDir ? { ...process.env, PIP_CACHE_DIR: pipCacheDir } : undefined;
  await beforeVenv?.();
  await createVenv(interpreter.executable, request.venvPath, request.install.pipArgs, env);
  await installAll(python, request.install, { ...installContext(request), env });
}

/**
 * The cache store the settings choose (undefined with `cache: none`), bounded by `cache-timeout`;
 * its problems go to `log`. The venv's cache and the results entries (report/baseline) share it.
 */
export function backendFor(
  cache: CacheSettings,
  event: CacheEvent,
  log: CacheLog,
): CacheBackend | undefined {
  const chosen = chooseBackend({
    log,
    mode: cache.mode,
    cacheDir: cache.dir,
    env: process.env,
    localSecret: cache.localSecret,
    localMaxBytes: cache.localMaxBytes,
    event,
  });
  return chosen && boundedBackend(chosen, cache.timeoutSeconds, log);
}

export async function prepareVenv(
  request: VenvRequest,
  interpreter: Interpreter,
): Promise<PreparedVenv> {
  const python = venvPython(request.venvPath);
  const venv: PreparedVenv = {
    venvPath: request.venvPath,
    python,
    binDir: venvBinDir(request.venvPath),
    cacheHit: false,
    cacheKey: '',
  };
  // Deferred while a save runs alongside the tests (see save.ts).
  const log = deferredLog();
  const backend = backendFor(request.cache, request.event, log);
  // A venv over cache-max-size is replaced in the cache by pip's cache (pip-fallback.ts).
  let fallback: PipFallback | undefined;
  const saveFrom = (path: string) =>
    backend &&
    startSave({
      backend,
      log,
      key: venv.cacheKey,
      path,
      mode: request.cache.mode,
      event: request.event,
      policy: request.cache.save,
      maxBytes: request.cache.maxSaveBytes,
      python,
      ...(fallback ? { pipFallback: fallback } : {}),
    });
  const pipCacheDir =
    request.cache.mode === 'pip' ? join(request.scratchDir, 'pyci-pip-cache') : undefined;
  const cachedPath = pipCacheDir ?? request.venvPath;

  const inPlace = request.cache.mode === 'venv' && backend ? inPlaceAuth(request) : undefined;
  // Every run marks the venv it prepared, before its tests (see in-place.ts).
  // `digest`: what the venv's distributions come to, when already known (see in-place.ts).
  const mark = async (digest?: string) => {
    if (inPlace)
      await writeMarker(
        request.venvPath,
        venv.cacheKey,
        interpreter.version,
        inPlace,
        digest,
      ).catch((error: unknown) =>
        core.info(`Could not mark the virtualenv for reuse in place: ${errorMessage(error)}`),
      );
  };

  core.startGroup(`Preparing virtualenv ${request.venvPath}`);
  try {
    if (backend) {
      venv.cacheKey = await cacheKeyFor(request, interpreter, cachedPath);
      if (inPlace && existsSync(request.venvPath)) {
        const verdict = await checkInPlace(
          request.venvPath,
          venv.cacheKey,
          interpreter.version,
          inPlace,
        );
        if (verdict.reuse) {
          const refresh = planProjectRefresh(request.install);
          core.info(
            `The virtualenv at ${request.venvPath} was reused in place (${venv.cacheKey}): it passed verification; ${refresh ? 'reinstalling only the project itself' : 'nothing to install'}.`,
          );
          const refreshed = await refreshProject(python, request.install, installContext(request));
          venv.cacheHit = true;
          // Nothing reinstalled: the distributions are those the check just listed.
          await mark(refreshed ? undefined : verdict.digest);
          return venv;
        }
        if (verdict.why)
          core.info(`Not reusing the virtualenv at ${request.venvPath} in place: ${verdict.why}.`);
      }
      // A leftover venv (e.g. from an earlier step) must not block the restore.
      if (pipCacheDir) rmSync(pipCacheDir, { recursive: true, force: true });
      else removeVenv(request.venvPath);
      // On a miss, the newest entry of the same shape (another set of dependency files): pip
      // then changes only what differs. pip's own cache is as good a start as any for `pip`.
      const warningsBefore = log.warnings;
      const restoredKey = await restoreInto(backend, request, venv.cacheKey, cachedPath);
      if (restoredKey && request.cache.mode === 'venv') {
        const problem =
          (await verifyRestoredVenv(request.venvPath, interpreter.version)) ??
          (restoredKey === venv.cacheKey
            ? undefined
            : await updateFromNearest(request, interpreter, restoredKey));
        if (!problem && restoredKey === venv.cacheKey) {
          const refresh = planProjectRefresh(request.install);
          core.info(
            `Restored the virtualenv from the ${backend.name} cache (${venv.cacheKey}); ${refresh ? 'reinstalling only the project itself' : 'nothing to install'}.`,
          );
          await refreshProject(python, request.install, installContext(request));
          venv.cacheHit = true;
          await mark();
          return venv;
        }
        if (!problem) {
          await mark();
          venv.pendingSave = await saveFrom(cachedPath);
          return venv;
        }
        core.warning(
          restoredKey === venv.cacheKey
            ? `The cached virtualenv failed verification (${problem}); installing afresh.`
            : `The nearest cached virtualenv (${restoredKey}) could not be brought up to date (${problem}); installing afresh.`,
        );
      } else if (!restoredKey) {
        core.info(`No cache entry for ${venv.cacheKey}; installing.`);
        // Only after a plain miss: a store that failed or timed out is not asked again.
        const cleanMiss = log.warnings === warningsBefore;
        if (cleanMiss && request.cache.mode === 'venv' && (request.cache.maxSaveBytes ?? 0) > 0)
          fallback = { key: await cacheKeyFor(request, interpreter, request.venvPath, 'pip') };
      }
    }
    await install(request, interpreter, python, pipCacheDir, async () => {
      if (fallback && backend) await restorePipFallback(backend, fallback, core);
    });
    await mark();
    // Every hit has returned above: this venv was installed here, and is saved.
    venv.pendingSave = await saveFrom(cachedPath);
  } finally {
    core.endGroup();
  }
  return venv;
}
