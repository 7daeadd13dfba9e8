/**
 * Addresses of a failure's line at the commit that ran
 * (`GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA/<path>#L<n>`), for the job summary and
 * the pull-request comment. Pure: the caller hands in the runner's variables.
 */
import type { TestFailure } from '../pytest/result.js';
import { repoRelative, type AnnotationPaths } from './annotations.js';

export interface CommitRef {
  /** GITHUB_SERVER_URL, e.g. https://github.com. */
  serverUrl: string;
  /** GITHUB_REPOSITORY, owner/name. */
  repository: string;
  /** GITHUB_SHA. */
  sha: string;
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
