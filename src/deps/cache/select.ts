/** Which cache store a run uses, decided from the inputs and the runner's environment. */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { coreLog } from '../../runner/log.js';
import type { CacheBackend, CacheLog } from './backend.js';
import { GithubCacheBackend } from './github.js';
import type { CacheEvent } from './policy.js';
import { LocalCacheBackend } from './local.js';

/** The `cache` input: the whole venv, pip's download/wheel cache only, or nothing. */
export type CacheMode = 'venv' | 'pip' | 'none';

export interface BackendChoice {
  /** `cache` input. */
  mode: CacheMode;
  /** `cache-dir` input when the user set it ('' or undefined otherwise): forces the local backend. */
  cacheDir?: string;
  env: NodeJS.ProcessEnv;
  log?: CacheLog;
  /** `cache-local-secret`: authenticates local entries instead of the key file. */
  localSecret?: string;
  /** The run's event, recorded with local entries (default: the runner's GITHUB_EVENT_NAME). */
  event?: CacheEvent;
  /** `cache-local-max-size` in bytes: the local directory is pruned to it (0: no limit). */
  localMaxBytes?: number;
}

/**
 * `none` -> no backend. An explicit `cache-dir` -> that directory. Otherwise GitHub's cache
 * service when the runner configured it for this job, else the default local directory.
 * The same backends serve both modes; the key prefix (`pyci-venv-`/`pyci-pip-`) and the path
 * cached are what differ.
 */
export function chooseBackend(choice: BackendChoice): CacheBackend | undefined {
  const log = choice.log ?? coreLog;
  if (choice.mode === 'none') return undefined;
  const local = {
    log,
    secretInput: choice.localSecret,
    event: choice.event,
    maxBytes: choice.localMaxBytes,
  };
  if (choice.cacheDir) return new LocalCacheBackend(resolve(choice.cacheDir), local);
  if (githubCacheConfigured(choice.env)) return new GithubCacheBackend(log);
  return new LocalCacheBackend(defaultCacheDir(choice.env), local);
}

/**
 * Mirrors @actions/cache's own switch (lib/internal/config.js) without loading it: v2 (Twirp
 * service at ACTIONS_RESULTS_URL) when ACTIONS_CACHE_SERVICE_V2 is set and the server is not
 * GHES, else v1 at ACTIONS_CACHE_URL. Either way the job's ACTIONS_RUNTIME_TOKEN is required.
 */
export function githubCacheConfigured(env: NodeJS.ProcessEnv): boolean {
  if (!env.ACTIONS_RUNTIME_TOKEN) return false;
  const v2 = Boolean(env.ACTIONS_CACHE_SERVICE_V2) && !isGhes(env.GITHUB_SERVER_URL);
  return Boolean(v2 ? env.ACTIONS_RESULTS_URL : env.ACTIONS_CACHE_URL);
}

function isGhes(serverUrl: string | undefined): boolean {
  let host: string;
  try {
    host = new URL(serverUrl || 'https://github.com').hostname.toUpperCase();
  } catch {
    return false;
  }
  return !(host === 'GITHUB.COM' || host.endsWith('.GHE.COM') || host.endsWith('.LOCALHOST'));
}

/**
 * On a runner: `pyci-cache` next to the tool cache (`<runner>/_work/pyci-cache` on self-hosted
 * runners): outside every checkout, kept between jobs like the tool cache itself. Elsewhere (local
 * runs): `$XDG_CACHE_HOME/pyci`, else `~/.cache/pyci`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.RUNNER_TOOL_CACHE) return join(dirname(resolve(env.RUNNER_TOOL_CACHE)), 'pyci-cache');
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'pyci');
  return join(homedir(), '.cache', 'pyci');
}
