/**
 * Addresses of a failure's line at the commit that ran
 * (`GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA/<path>#L<n>`), for the job summary and
 * the pull-request comment. Pure: the caller hands in the runner's variables.
 */
import type { TestFailure } from '../pytest/result.js';
import type { RunEvent } from '../runner/event.js';
import { repoRelative, type AnnotationPaths } from './annotations.js';

export interface CommitRef {
  /** GITHUB_SERVER_URL, e.g. https://github.com. */
  serverUrl: string;
  /** GITHUB_REPOSITORY, owner/name. */
  repository: string;
  /** GITHUB_SHA. */
  sha: string;
}

/**
 * The commit whose code the tests ran: GITHUB_SHA, except behind workflow_run, where GITHUB_SHA is
 * the default branch's head and the tests ran at the triggering run's `head_sha` (a pull
 * request's head, fork or not: GitHub serves it in the base repository too).
 */
export function commitThatRan<T extends Partial<CommitRef>>(
  context: T,
  event: Pick<RunEvent, 'name' | 'behindRun'>,
): T {
  const headSha = event.name === 'workflow_run' ? event.behindRun?.headSha : undefined;
  return headSha && /^[0-9a-f]{40}$/i.test(headSha) ? { ...context, sha: headSha } : context;
}

/** A function giving each failure its link, or undefined when the runner variables are missing. */
export function failureLinker(
  commit: Partial<CommitRef>,
  paths: AnnotationPaths,
): ((failure: TestFailure) => string | undefined) | undefined {
  const { serverUrl, repository, sha } = commit;
  if (!serverUrl || !repository || !sha) return undefined;
  const base = `${serverUrl.replace(/\/+$/, '')}/${repository}/blob/${sha}/`;
  return (failure) => {
    if (failure.file === undefined) return undefined;
    const path = repoRelative(failure.file, paths);
    if (path === undefined) return undefined;
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return `${base}${encoded}${failure.line ? `#L${failure.line}` : ''}`;
  };
}
