/**
 * Saving the cache off the critical path: what is decided at once (the `cache-save` policy and
 * the event, an empty directory) is logged at once; the rest (the size limit, the archive and
 * its upload) runs while the tests run, and `complete()` awaits it and prints its log after them.
 *
 * Consistency: the tests run in the venv being archived. With the local backend the archive is
 * made from a hard-link snapshot taken before the tests start (snapshot.ts), so files the tests
 * add, delete or replace never reach the entry. GitHub's backend binds entries to the paths they
 * were saved from, so there the snapshot sits at a fixed staging path, where restores unpack too
 * (cache/staging.ts). The local backend keeps the snapshot as the entry's hard-link tree
 * (cache/local-tree.ts) when it can; otherwise it is deleted here after the save.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import { errorMessage } from '../runner/errors.js';
import { firstOccupiedPath, type CacheBackend } from './cache/backend.js';
import { mayShareCache, type CacheEvent, type CacheSavePolicy } from './cache/policy.js';
import type { CacheMode } from './cache/select.js';
import type { DeferredLog } from './deferred-log.js';
import { directorySize } from './dir-size.js';
import { pipCacheDir, type PipFallback } from './pip-fallback.js';
import { linkSnapshot } from './snapshot.js';
import { entriesBoundToPaths, stagingPath } from './cache/staging.js';
import type { TreeEntry } from './cache/tree-manifest.js';

export interface SaveRequest {
  backend: CacheBackend;
  /** The backend's log: deferred while the save runs. */
  log: DeferredLog;
  key: string;
  path: string;
  mode: CacheMode;
  event: CacheEvent;
  policy?: CacheSavePolicy;
  /** Saved instead of an environment over `maxBytes` (venv mode). */
  pipFallback?: PipFallback;
  /** The venv's python, to ask pip where its cache is. */
  python?: string;
  /** `cache-max-size` in bytes; 0 or undefined: no limit. */
  maxBytes?: number;
}

/** A save under way; `complete()` waits for it and prints its log. Never rejects. */
export interface PendingSave {
  complete(): Promise<void>;
}

/** Starts the save when it is allowed (undefined when not: the reason is already logged). */
export async function startSave(request: SaveRequest): Promise<PendingSave | undefined> {
  const { backend, path } = request;
  const decision = mayShareCache(request.event, backend.name === 'github', request.policy);
  if (!decision.save) {
    core.info(`${decision.reason[0].toUpperCase()}${decision.reason.slice(1)}.`);
    return undefined;
  }
  if (!firstOccupiedPath([path])) {
    // With `cache: pip` and only local indexes pip downloads, and so caches, nothing.
    core.info(`Not saving the cache: ${path} is empty (pip caches only what it downloads).`);
    return undefined;
  }
  const boundToPath = entriesBoundToPaths(backend);
  const snapshot = request.mode === 'venv' ? await snapshotOf(path, boundToPath) : undefined;
  if (request.mode === 'venv' && boundToPath && !snapshot) {
    core.info(
      `Not saving the cache: ${path} could not be snapshot with hard links, and the ${backend.name} cache restores entries only at the path they were saved from.`,
    );
    return undefined;
  }
  core.info(`Saving the cache as ${request.key} while the tests run.`);
  request.log.defer();
  // The local backend may keep the snapshot as the entry's tree (moved away: then rm finds none).
  const work = save(request, snapshot).finally(() =>
    snapshot ? rm(snapshot.path, { recursive: true, force: true }) : undefined,
  );
  return {
    async complete() {
      await work;
      core.startGroup('Saving the cache');
      request.log.flush();
      core.endGroup();
    },
  };
}

async function save(request: SaveRequest, snapshot: Snapshot | undefined): Promise<void> {
  const { backend, log, path } = request;
  const source = snapshot?.path ?? path;
  try {
    const limit = request.maxBytes ?? 0;
    if (limit > 0 && (await directorySize(source, limit)) > limit) {
      if (await saveFallback(request, limit)) return;
      const advice =
        request.mode === 'venv'
          ? " Set cache: pip to cache only pip's downloads, or raise cache-max-size."
          : ' Raise cache-max-size to save it.';
      log.notice(
        `Not saving the cache: ${path} holds more than ${mebibytes(limit)} (cache-max-size); restoring an environment that large can take longer than installing it.${advice}`,
      );
      return;
    }
    const options = snapshot && { snapshot: { manifest: snapshot.manifest } };
    if (await backend.save(request.key, [source], options))
      log.info(`Saved ${path} to the ${backend.name} cache as ${request.key}.`);
  } catch (error) {
    log.warning(`Could not save the cache as ${request.key}: ${errorMessage(error)}`);
  }
}

interface Snapshot {
  path: string;
  manifest: TreeEntry[];
}

/**
 * An environment over cache-max-size: pip's cache in its place (pip-fallback.ts), when that is
 * under the limit. True when it was saved (or is already the entry restored).
 */
async function saveFallback(request: SaveRequest, limit: number): Promise<boolean> {
  const { backend, log, pipFallback: fallback } = request;
  if (request.mode !== 'venv' || !fallback) return false;
  // The folder the restore used, if the venv's pip caches there too (a pip.conf may say otherwise).
  const dir = fallback.dir;
  if (!dir || !request.python || (await pipCacheDir(request.python)) !== dir) return false;
  if (!firstOccupiedPath([dir]) || (await directorySize(dir, limit)) > limit) return false;
  const why = `${request.path} holds more than ${mebibytes(limit)} (cache-max-size)`;
  if (fallback.hit) {
    log.info(`Not saving the virtualenv: ${why}; pip's cache came from ${fallback.key} already.`);
    return true;
  }
  if (!(await backend.save(fallback.key, [dir]))) return false;
  log.notice(
    `Not saving the virtualenv: ${why}. Saved pip's cache (${dir}) as ${fallback.key} instead: the next run with the same dependencies installs from it without downloading. Raise cache-max-size to cache the whole environment.`,
  );
  return true;
}

/**
 * A hard-link snapshot next to `path` (same file system), or undefined when links fail. For a
 * backend bound to paths it is at the fixed staging path restores unpack to (staging.ts).
 */
async function snapshotOf(path: string, atStagingPath: boolean): Promise<Snapshot | undefined> {
  // Dot-named and holding a pyvenv.cfg: pytest's collection skips it.
  const snapshot = atStagingPath
    ? stagingPath(path)
    : join(dirname(path), `.${basename(path)}.pyci-save-${randomUUID()}`);
  // A staging folder left by a cancelled run.
  if (atStagingPath) rmSync(snapshot, { recursive: true, force: true });
  try {
    return { path: snapshot, manifest: await linkSnapshot(path, snapshot) };
  } catch (error) {
    rmSync(snapshot, { recursive: true, force: true });
    core.info(
      `Could not snapshot ${path} with hard links (${errorMessage(error)})${atStagingPath ? '' : '; archiving it in place while the tests run'}.`,
    );
    return undefined;
  }
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
