/**
 * Edge: writes the pull-request comment with @actions/github (Octokit), imported only here and
 * only when a comment is to be written, so the bundle's start-up does not pay for it. The one
 * comment carrying our marker is found (every page of the pull request's comments) and updated
 * in place, or created. Server errors and rate limits are retried a few times; a token that may
 * not write (a fork's pull request: 403) gives one notice. A comment never fails the step.
 */
import * as core from '@actions/core';

export interface CommentTarget {
  token: string;
  /** owner/name. */
  repository: string;
  pullRequest: number;
  marker: string;
  body: string;
}

const ATTEMPTS = 4;
/** Longest wait between attempts, whatever Retry-After says. */
const MAX_WAIT_MS = 20_000;

export interface HttpError {
  status?: number;
  response?: { headers?: Record<string, string | undefined> };
  message?: string;
}

/** Whether an error is worth another attempt, and how long to wait first. */
function retryDelay(error: HttpError, attempt: number): number | undefined {
  const status = error.status ?? 0;
  const headers = error.response?.headers ?? {};
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined));
  if (!(status >= 500 || rateLimited)) return undefined;
  const retryAfter = Number(headers['retry-after']);
  const reset = Number(headers['x-ratelimit-reset']);
  const wait = Number.isFinite(retryAfter)
    ? retryAfter * 1000
    : Number.isFinite(reset) && rateLimited
      ? reset * 1000 - Date.now()
      : 250 * 2 ** attempt;
  return Math.min(Math.max(wait, 0), MAX_WAIT_MS);
}

/** Runs `call`, again after a server error or a rate limit (at most ATTEMPTS times in all). */
export async function withRetries<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const wait = retryDelay(error as HttpError, attempt);
      if (wait === undefined || attempt >= ATTEMPTS) throw error;
      core.info(
        `${what}: GitHub answered ${(error as HttpError).status}; trying again in ${Math.round(wait / 100) / 10} s.`,
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Creates or updates the comment; returns what happened, for the log and tests. */
export async function postComment(
  target: CommentTarget,
): Promise<'created' | 'updated' | 'forbidden' | 'failed'> {
  const [owner, repo] = target.repository.split('/');
  try {
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(target.token);
    const issue = { owner, repo, issue_number: target.pullRequest };
    let existing: number | undefined;
    await withRetries('Finding the pull-request comment', async () => {
      for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
        ...issue,
        per_page: 100,
      })) {
        const found = page.data.find((comment) => (comment.body ?? '').includes(target.marker));
        if (found) {
          existing = found.id;
          return;
        }
      }
    });
    if (existing !== undefined) {
      const id = existing;
      await withRetries('Updating the pull-request comment', () =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body: target.body }),
      );
      core.info(`Updated the results comment on pull request #${target.pullRequest}.`);
      return 'updated';
    }
    await withRetries('Writing the pull-request comment', () =>
      octokit.rest.issues.createComment({ ...issue, body: target.body }),
    );
    core.info(`Wrote the results comment on pull request #${target.pullRequest}.`);
    return 'created';
  } catch (error) {
    const status = (error as HttpError).status;
    if (status === 403 || status === 404) {
      core.notice(
        `No pull-request comment: the token may not write to pull request #${target.pullRequest} (GitHub answered ${status}; a pull request from a fork gets a read-only token). The job summary has the results; to comment on fork pull requests, see the workflow_run setup in docs/reporting.md.`,
      );
      return 'forbidden';
    }
    core.warning(`No pull-request comment: ${(error as Error).message}`);
    return 'failed';
  }
}
