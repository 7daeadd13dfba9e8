/**
 * Cache keys of results entries (pure): `pyci-results-<hash>-<branch>:<sha>`. The hash names the
 * workflow, job and shard, so that each job compares with its own earlier results. Git forbids
 * `:` and `~` in branch names, so `<branch>:` as a prefix matches that branch only (never
 * `main-2` for `main`); GitHub's cache refuses commas in keys, so `%` and `,` are escaped.
 */
import { createHash } from 'node:crypto';

const MAX_BRANCH_CHARS = 200;

export interface ResultsScope {
  workflow: string;
  job: string;
  /** e.g. `2of4`; '' when the run is not a shard. */
  shard: string;
}

function scopeHash(scope: ResultsScope): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.workflow, scope.job, scope.shard]))
    .digest('hex')
    .slice(0, 12);
}

function branchPart(branch: string): string {
  const escaped = branch.replace(/%/g, '%25').replace(/,/g, '%2C');
  if (escaped.length <= MAX_BRANCH_CHARS) return escaped;
  // Long names: cut, plus a digest of the whole name after a `~` no branch name can hold.
  const digest = createHash('sha256').update(branch).digest('hex').slice(0, 16);
  return `${escaped.slice(0, MAX_BRANCH_CHARS)}~${digest}`;
}

/** What every entry of `branch` in this scope starts with. */
export function resultsKeyPrefix(scope: ResultsScope, branch: string): string {
  return `pyci-results-${scopeHash(scope)}-${branchPart(branch)}:`;
}

export function resultsKey(scope: ResultsScope, branch: string, sha: string): string {
  return `${resultsKeyPrefix(scope, branch)}${sha}`;
}
