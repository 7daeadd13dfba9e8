/**
 * cache-max-size's fallback: a virtualenv too large to save is replaced in the cache by pip's own
 * cache (the wheels this run downloaded or built), under a `pyci-pip-` key from the same inputs.
 * A later run that finds no environment restores it into pip's cache folder before installing,
 * so pip installs without downloading. Only into an empty (or missing) folder: a self-hosted
 * runner's warm pip cache is left as it is.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { captureProgram } from '../runner/exec.js';
import { firstOccupiedPath, type CacheBackend } from './cache/backend.js';

export interface PipFallback {
  /** The `pyci-pip-` key for this run's inputs. */
  key: string;
  /** pip's cache folder as the restore saw it (defaultPipCacheDir). */
  dir?: string;
  /** Restored under exactly `key`: nothing new to save. */
  hit?: boolean;
}

/** `python -m pip cache dir`: where this pip caches; undefined when its cache is off. */
export async function pipCacheDir(python: string): Promise<string | undefined> {
  const asked = await captureProgram(python, ['-m', 'pip', 'cache', 'dir'], {
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  }).catch(() => undefined);
  const dir = asked?.exitCode === 0 ? asked.stdout.trim().split('\n').pop()?.trim() : undefined;
  return dir || undefined;
}

/**
 * Where pip caches by default, as pip computes it (PIP_CACHE_DIR, else the platform's user cache
 * folder), known before the venv exists so the restore can come before the venv's first pip run
 * (which itself downloads pip into the cache). A pip.conf `cache-dir` is not read: the save
 * checks the venv's pip agrees, and does not save a fallback otherwise.
 */
export function defaultPipCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIP_CACHE_DIR) return env.PIP_CACHE_DIR;
  if (process.platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'pip', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'pip');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pip');
}

/** Restores the fallback entry into pip's cache folder when that folder is empty. */
export async function restorePipFallback(
  backend: CacheBackend,
  fallback: PipFallback,
  log: { info(text: string): void },
): Promise<void> {
  const dir = defaultPipCacheDir();
  fallback.dir = dir;
  if (firstOccupiedPath([dir])) return;
  const restored = await backend.restore(fallback.key, [dir]);
  if (!restored) return;
  fallback.hit = restored === fallback.key;
  log.info(
    `Restored pip's cache (${dir}) from the ${backend.name} cache (${restored}): the environment was too large to save (cache-max-size), so pip installs from its cache.`,
  );
}
