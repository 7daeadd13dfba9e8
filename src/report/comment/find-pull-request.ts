/**
 * Edge: finds the pull request behind a fork's workflow_run through the REST API
 * (`GET /repos/{owner}/{repo}/pulls?head=owner:branch&state=open`, every page up to a bound),
 * with @actions/github imported only here, as post.ts does. Never fails the step: a token that
 * may not list pull requests gives one notice, anything else one warning, and no comment.
 */
import * as core from '@actions/core';
import { matchPullRequest, type PullRequestFound, type PullRequestQuery } from './behind-run.js';
import { withRetries, type HttpError } from './post.js';

/** Pages of 100: a head branch with more open pull requests than this is not worth reading. */
const MAX_PAGES = 10;

export async function findPullRequest(
  token: string,
  query: PullRequestQuery,
): Promise<PullRequestFound | undefined> {
  const [owner, repo] = query.repository.split('/');
  try {
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(token);
    const pulls: unknown[] = [];
    await withRetries('Finding the pull request behind the run', async () => {
      pulls.length = 0;
      let pages = 0;
      for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, {
        owner,
        repo,
        head: query.head,
        state: 'open',
        per_page: 100,
      })) {
        // Untrusted: a page that is not a list adds nothing.
        if (Array.isArray(page.data)) pulls.push(...(page.data as unknown[]));
        if (++pages >= MAX_PAGES) break;
      }
    });
    const found = matchPullRequest(pulls, query);
    if ('line' in found) {
      core.info(found.line);
      return undefined;
    }
    core.info(
      `The run behind this workflow_run belongs to pull request #${found.number} (${query.head} into ${found.baseRef}).`,
    );
    return found;
  } catch (error) {
    const status = (error as HttpError).status;
    if (status === 403 || status === 404) {
      core.notice(
        `No pull-request comment: the token may not list the pull requests of ${query.repository} (GitHub answered ${status}), so the pull request behind this workflow_run (from ${query.head}) is unknown. Give the job \`permissions: pull-requests: write\` (see docs/reporting.md).`,
      );
      return undefined;
    }
    core.warning(
      `No pull-request comment: looking up the pull request behind this workflow_run failed: ${(error as Error).message}`,
    );
    return undefined;
  }
}
