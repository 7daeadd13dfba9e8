/**
 * The one interface every cache store implements. Caching is an optimization: a backend never
 * throws from restore or save; it warns and reports a miss (or an unsaved entry) instead.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Log } from '../../runner/log.js';

export interface CacheBackend {
  /** `github` or `local`, for the log. */
  readonly name: string;
  /**
   * Restores the entry saved under exactly `key` into `paths` (no prefix or fallback keys: a venv
   * built from other inputs is not safe to use). The paths must not exist yet, or be empty
   * directories: a backend never overwrites what is there. Resolves true on a hit.
   */
  restore(key: string, paths: string[]): Promise<boolean>;
  /** Saves `paths` under `key`. Resolves true when an entry was written. */
  save(key: string, paths: string[]): Promise<boolean>;
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
