/**
 * When a run may write to the cache (pure). Restoring is always allowed; saving is what lets one
 * run plant files that later runs execute, so it is refused where the code or the trigger is not
 * the repository's own branch work.
 */

export interface CacheEvent {
  /** GITHUB_EVENT_NAME */
  name: string;
  /** GITHUB_REF */
  ref?: string;
  /** GITHUB_REF_TYPE */
  refType?: string;
}

export interface SaveDecision {
  save: boolean;
  reason: string;
}

const NO_SAVE_EVENTS: Record<string, string> = {
  pull_request_target:
    "pull_request_target runs with the base repository's cache scope while it may build a fork's code; saving would let a pull request poison the cache of the default branch",
  workflow_run:
    "workflow_run runs in the default branch's cache scope after a workflow that may have run untrusted code; saving from it is a known cache-poisoning path",
  release:
    'release runs are for publishing: an entry saved from a tag scope is never restored by branches, and a release build must not be able to seed caches',
};

/**
 * `branchScoped`: whether the store keeps each branch's entries apart (GitHub's cache service
 * does; a local directory does not, so there a pull request's save would reach every branch).
 */
export function mayShareCache(event: CacheEvent, branchScoped = true): SaveDecision {
  const known = NO_SAVE_EVENTS[event.name];
  if (known) return { save: false, reason: `not saving the cache on ${event.name}: ${known}` };
  if (!branchScoped && event.name.startsWith('pull_request')) {
    return {
      save: false,
      reason: `not saving the cache on ${event.name}: the local cache directory has no branch scopes, so an environment built from a pull request would be restored by every branch (restoring is still allowed)`,
    };
  }
  if (event.refType === 'tag' || event.ref?.startsWith('refs/tags/')) {
    const tag = event.ref ? ` ${event.ref.replace(/^refs\/tags\//, '')}` : '';
    return {
      save: false,
      reason: `not saving the cache for tag${tag}: tag runs build releases, and an entry saved in a tag's scope is never restored by branch runs`,
    };
  }
  return { save: true, reason: `saving the cache is allowed on ${event.name || 'this event'}` };
}

/** The event as the runner describes it in the environment. */
export function cacheEventFromEnv(env: NodeJS.ProcessEnv): CacheEvent {
  return { name: env.GITHUB_EVENT_NAME ?? '', ref: env.GITHUB_REF, refType: env.GITHUB_REF_TYPE };
}

/**
 * Events whose runs build only the repository's own, already merged or maintainer-triggered
 * code. Everything else (pull_request*, workflow_run, issue_comment, ...) may run code from a
 * pull request, so its local cache entries are never restored by these trusted runs.
 */
const TRUSTED_EVENTS = new Set([
  'push',
  'schedule',
  'workflow_dispatch',
  'merge_group',
  'repository_dispatch',
  'release',
  'create',
]);

export function isTrustedEvent(event: CacheEvent): boolean {
  return TRUSTED_EVENTS.has(event.name);
}
