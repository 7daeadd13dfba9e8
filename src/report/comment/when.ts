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
