/** Whether this run writes a pull-request comment (pure). */
import type { RunEvent } from '../../runner/event.js';

export type CommentMode = 'auto' | 'always' | 'off';

/**
 * auto: on pull_request events (a read-only token is found out by trying: GitHub answers 403);
 * always: on any run that belongs to a pull request (pull_request_target, workflow_run behind a
 * pull request, a comment on one); off: never. Without a token or a pull request, nothing.
 */
export function commentWanted(
  mode: CommentMode,
  event: Pick<RunEvent, 'name' | 'pullRequest'>,
  token: string,
): boolean {
  if (mode === 'off' || token === '' || event.pullRequest === undefined) return false;
  return mode === 'always' || event.name === 'pull_request';
}

/**
 * Why `comment: always` on workflow_run writes nothing, when the payload names no pull request:
 * GitHub lists only pull requests of the same repository in `workflow_run.pull_requests`, so
 * the run behind one from a fork has none. undefined when that is not the case.
 */
export function noPullRequestBehindRun(
  mode: CommentMode,
  event: Pick<RunEvent, 'name' | 'pullRequest'>,
): string | undefined {
  if (mode !== 'always' || event.name !== 'workflow_run' || event.pullRequest !== undefined)
    return undefined;
  return 'No pull-request comment: the workflow_run payload lists no pull request (GitHub lists none for a pull request from a fork), so there is no pull request to comment on nor base branch to compare with.';
}
