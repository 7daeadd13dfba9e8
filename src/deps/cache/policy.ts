/**
 * When a run may write to the cache (pure). Restoring is always allowed; saving is what lets one
 * run plant files that later runs execute, so it is refused where the code or the trigger is not
 * the repository's own branch work.
 */
import { TRUSTED_EVENTS, type RunEvent } from '../../runner/event.js';

/** What the policy reads of the run's event (runner/event.ts reads it, for the gate too). */
export type CacheEvent = Pick<RunEvent, 'name'> &
  Partial<Pick<RunEvent, 'ref' | 'refType' | 'refName' | 'defaultBranch'>>;

/** The `cache-save` input: which runs write entries (every run restores). */
export type CacheSavePolicy = 'always' | 'default-branch' | 'never';
export const CACHE_SAVE_POLICIES: readonly CacheSavePolicy[] = [
  'always',
  'default-branch',
  'never',
];

export interface SaveDecision {
  save: boolean;
  reason: string;
}

/** Why each event that must not save does not (every one of UNSAFE_EVENTS has a line). */
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
 * `policy` (`cache-save`) narrows what the refusals below leave: `never` saves nothing,
 * `default-branch` only runs on the repository's default branch.
 */
export function mayShareCache(
  event: CacheEvent,
  branchScoped = true,
  policy: CacheSavePolicy = 'always',
): SaveDecision {
  const refusal = unsafeToSave(event, branchScoped);
  if (refusal) return { save: false, reason: refusal };
  if (policy === 'never')
    return { save: false, reason: 'not saving the cache: cache-save is never' };
  if (policy === 'default-branch') return defaultBranchOnly(event);
  return { save: true, reason: `saving the cache is allowed on ${event.name || 'this event'}` };
}

function unsafeToSave(event: CacheEvent, branchScoped: boolean): string | undefined {
  const known = NO_SAVE_EVENTS[event.name];
  if (known) return `not saving the cache on ${event.name}: ${known}`;
  if (!branchScoped && event.name.startsWith('pull_request')) {
    return `not saving the cache on ${event.name}: the local cache directory has no branch scopes, so an environment built from a pull request would be restored by every branch (restoring is still allowed)`;
  }
  if (event.refType === 'tag' || event.ref?.startsWith('refs/tags/')) {
    const tag = event.ref ? ` ${event.ref.replace(/^refs\/tags\//, '')}` : '';
    return `not saving the cache for tag${tag}: tag runs build releases, and an entry saved in a tag's scope is never restored by branch runs`;
  }
  return undefined;
}

/** `cache-save: default-branch`: pull requests and other branches restore the default branch's entries. */
function defaultBranchOnly(event: CacheEvent): SaveDecision {
  const branch = event.defaultBranch;
  if (!branch) {
    return {
      save: true,
      reason: `saving the cache: the event payload does not name the repository's default branch (repository.default_branch), so cache-save: default-branch saves as always does`,
    };
  }
  const onBranch =
    event.ref === `refs/heads/${branch}` ||
    (event.refType === 'branch' && event.refName === branch);
  if (onBranch) return { save: true, reason: `saving the cache on the default branch ${branch}` };
  const where = event.ref || event.refName || 'this ref';
  return {
    save: false,
    reason: `not saving the cache: cache-save is default-branch and this ${event.name || ''} run is on ${where}, not ${branch}; it restores what runs on ${branch} saved`,
  };
}

/** Whether the run builds only the repository's own code (runner/event.ts keeps the list). */
export function isTrustedEvent(event: CacheEvent): boolean {
  return TRUSTED_EVENTS.has(event.name);
}
