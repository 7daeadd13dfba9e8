/**
 * The one interface every cache store implements. Caching is an optimization: a backend never
 * throws from restore or save; it warns and reports a miss (or an unsaved entry) instead.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Log } from '../../runner/log.js';
import type { TreeEntry } from './tree-manifest.js';

export interface CacheBackend {
  /** `github` or `local`, for the log. */
  readonly name: string;
  /**
   * Restores the entry saved under exactly `key` into `paths`, else the newest entry whose key
   * starts with one of `restoreKeys` (tried in order), and resolves to the key of the entry
   * restored, or undefined on a miss. An entry found by prefix was built from other inputs: the
   * caller must bring it up to date (deps/incremental.ts) before using it. The paths must not
   * exist yet, or be empty directories: a backend never overwrites what is there.
   */
  restore(
    key: string,
    paths: string[],
    restoreKeys?: readonly string[],
  ): Promise<string | undefined>;
  /** Saves `paths` under `key`. Resolves true when an entry was written. */
  save(key: string, paths: string[], options?: SaveOptions): Promise<boolean>;
}

export interface SaveOptions {
  /**
   * `paths[0]` is a hard-link snapshot made for this save (deps/snapshot.ts), with its
   * manifest: the backend may keep it (the local one, as the entry's tree) instead of the
   * caller deleting it afterwards.
   */
  snapshot?: { manifest: readonly TreeEntry[] };
}

/** What backends need of the log (@actions/core by default, a recorder in tests). */
export type CacheLog = Pick<Log, 'info' | 'warning'>;

/** The first of `paths` that exists with something in it, or undefined. */
export function firstOccupiedPath(paths: string[]): string | undefined {
  return paths.find((path) => existsSync(path) && !isEmptyDirectory(path));
}

function isEmptyDirectory(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}
