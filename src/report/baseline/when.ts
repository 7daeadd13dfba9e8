/** Which runs record their results and which compare with the base branch's (pure). */
import { mayShareCache, type CacheEvent, type SaveDecision } from '../../deps/cache/policy.js';
import type { CacheSavePolicy } from '../../deps/cache/policy.js';
import type { CacheMode } from '../../deps/cache/select.js';
import { TRUSTED_EVENTS, type RunEvent } from '../../runner/event.js';
import type { CommentMode } from '../comment/when.js';

export interface ResultsSettings {
  comment: CommentMode;
  cacheMode: CacheMode;
  cacheSave: CacheSavePolicy;
}

/**
 * A run of the repository's own code on a branch (push, schedule, workflow_dispatch, ...) records
 * its results, under the same refusals as the cache (mayShareCache). Entries are tiny and one per
 * commit, so `cache-save: default-branch` does not narrow it (a pull request into `develop` needs
 * develop's results); `never` does. `comment: off` or `cache: none`: nothing is recorded.
 */
export function recordDecision(
  event: CacheEvent & Pick<RunEvent, 'refType'>,
  settings: ResultsSettings,
  branchScoped: boolean,
): SaveDecision | undefined {
  // No line in the log for runs that never record (pull requests, comment or cache off).
  if (settings.comment === 'off' || settings.cacheMode === 'none') return undefined;
  if (!TRUSTED_EVENTS.has(event.name) || event.refType !== 'branch') return undefined;
  const policy = settings.cacheSave === 'never' ? 'never' : 'always';
  return mayShareCache(event, branchScoped, policy);
}

/** A run that comments on a pull request looks up the base branch's results (not with `cache: none`). */
export function comparesWithBase(
  event: Pick<RunEvent, 'baseRef'>,
  settings: ResultsSettings,
  commenting: boolean,
): boolean {
  return commenting && settings.cacheMode !== 'none' && event.baseRef !== '';
}
