/**
 * GitHub's cache service through @actions/cache. The library (and the Azure SDK under it) is
 * loaded on first use only, so runs with `cache: none` or a local cache never pay for it.
 */
import { rm } from 'node:fs/promises';
import { errorMessage } from '../../runner/errors.js';
import { coreLog } from '../../runner/log.js';
import { firstOccupiedPath, type CacheBackend, type CacheLog } from './backend.js';

type ActionsCache = typeof import('@actions/cache');

/** Bounds a stalled download segment; the library's default is an hour. */
const SEGMENT_TIMEOUT_MS = 10 * 60 * 1000;

export class GithubCacheBackend implements CacheBackend {
  readonly name = 'github';
  private library: Promise<ActionsCache> | undefined;

  constructor(private readonly log: CacheLog = coreLog) {}

  async restore(
    key: string,
    paths: string[],
    restoreKeys: readonly string[] = [],
  ): Promise<string | undefined> {
    const occupied = firstOccupiedPath(paths);
    if (occupied) {
      this.log.warning(`Not restoring cache ${key}: ${occupied} already exists and is not empty.`);
      return undefined;
    }
    try {
      const cache = await this.load();
      // The service matches the primary key exactly, else the restore keys by prefix (newest
      // first). The library logs its own warnings for service errors and then reports a miss.
      const matched = await cache.restoreCache(paths, key, [...restoreKeys], {
        segmentTimeoutInMs: SEGMENT_TIMEOUT_MS,
      });
      if (matched === key || (matched !== undefined && startsWithAny(matched, restoreKeys)))
        return matched;
      if (matched !== undefined) {
        // The service may match the primary key by prefix; our keys end in a digest so this
        // should not happen, but an entry nobody asked for must never be used.
        this.log.warning(
          `The cache service returned entry ${matched} for key ${key}; discarding it and installing afresh.`,
        );
      }
    } catch (error) {
      this.log.warning(
        `Could not restore cache ${key} from GitHub's cache service: ${errorMessage(error)}`,
      );
    }
    // A failed extraction can leave part of an archive behind; the paths were empty before.
    await removeAll(paths);
    return undefined;
  }

  async save(key: string, paths: string[]): Promise<boolean> {
    try {
      const cache = await this.load();
      // The library reports reserve conflicts ("another job may be creating this cache", an
      // entry that already exists) and service outages itself and returns -1.
      const id = await cache.saveCache(paths, key);
      if (id === -1) {
        this.log.info(`Cache ${key} was not saved (see the message above).`);
        return false;
      }
      return true;
    } catch (error) {
      this.log.warning(
        `Could not save cache ${key} to GitHub's cache service: ${errorMessage(error)}`,
      );
      return false;
    }
  }

  private load(): Promise<ActionsCache> {
    this.library ??= import('@actions/cache');
    return this.library;
  }
}

function startsWithAny(key: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => prefix !== '' && key.startsWith(prefix));
}

async function removeAll(paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
