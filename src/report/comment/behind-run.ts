/**
 * The pull request behind a workflow_run whose payload lists none (pure). GitHub leaves
 * `workflow_run.pull_requests` empty for a pull request from a fork (actions/runner#3444), so the
 * action asks the API for the open pull requests whose head is `<head owner>:<head_branch>` and
 * keeps the one at the run's commit that targets this repository. The API's answer is untrusted:
 * items of the wrong shape are skipped.
 */
import { field, type RunEvent } from '../../runner/event.js';
import type { CommentMode } from './when.js';

export interface PullRequestQuery {
  /** The `head` filter of `GET /repos/{owner}/{repo}/pulls`: `owner:branch`. */
  head: string;
  /** The run's commit (`workflow_run.head_sha`), which the pull request's head must be at. */
  headSha: string;
  /** owner/name of this repository, which the pull request must target. */
  repository: string;
}

export interface PullRequestFound {
  number: number;
  /** The branch it targets: the base of the comparison with the base branch's failures. */
  baseRef: string;
}

const HEX_SHA = /^[0-9a-f]{40}$/;
/** A GitHub login, and a branch name as git allows it (no control characters, spaces, `:`). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const BRANCH_TEXT = /^(?!-)[^\s:~^?*[\\]{1,255}$/;
function isBranch(value: string): boolean {
  return BRANCH_TEXT.test(value) && ![...value].some((c) => c < ' ' || c === '\u007f');
}

/**
 * What to do for this run: undefined when there is nothing to look up (not workflow_run, a
 * comment not asked for with `always`, or the payload lists the pull request already); a line
 * saying why there is no comment; or the query.
 */
export function pullRequestLookup(
  mode: CommentMode,
  event: Pick<RunEvent, 'name' | 'pullRequest' | 'behindRun'>,
  token: string,
  repository: string,
): { query: PullRequestQuery } | { line: string } | undefined {
  if (mode !== 'always' || event.name !== 'workflow_run' || event.pullRequest !== undefined)
    return undefined;
  const run = event.behindRun;
  const why = 'No pull-request comment: the workflow_run payload lists no pull request';
  if (run?.event !== 'pull_request')
    return {
      line: `${why}, and the run behind it is a ${run?.event || 'run of an unknown event'}, not a pull_request one: there is no pull request to comment on nor base branch to compare with.`,
    };
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository))
    return {
      line: `${why}, and GITHUB_REPOSITORY does not name this repository, so it cannot be looked up.`,
    };
  if (token === '') return { line: `${why}, and without a token it cannot be looked up.` };
  if (!LOGIN.test(run.headOwner) || !isBranch(run.headBranch) || !HEX_SHA.test(run.headSha))
    return {
      line: `${why}, and its workflow_run.head_repository.owner.login, head_branch or head_sha is missing or malformed, so it cannot be looked up.`,
    };
  return {
    query: { head: `${run.headOwner}:${run.headBranch}`, headSha: run.headSha, repository },
  };
}

/** One item of the API's list, when it has the shape of a pull request matching the query. */
function matches(pull: unknown, query: PullRequestQuery): PullRequestFound | undefined {
  const number = field(pull, 'number');
  const sha = field(pull, 'head', 'sha');
  const target = field(pull, 'base', 'repo', 'full_name');
  const baseRef = field(pull, 'base', 'ref');
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) return undefined;
  if (typeof sha !== 'string' || sha.toLowerCase() !== query.headSha) return undefined;
  // Repository names are case-insensitive on GitHub.
  if (typeof target !== 'string' || target.toLowerCase() !== query.repository.toLowerCase())
    return undefined;
  if (typeof baseRef !== 'string' || !isBranch(baseRef)) return undefined;
  return { number, baseRef };
}

/** The one pull request the run belongs to, or a line saying why there is none to comment on. */
export function matchPullRequest(
  pulls: readonly unknown[],
  query: PullRequestQuery,
): PullRequestFound | { line: string } {
  const found = new Map<number, PullRequestFound>();
  for (const pull of pulls) {
    const match = matches(pull, query);
    if (match) found.set(match.number, match);
  }
  const where = `${query.head} at ${query.headSha.slice(0, 7)} into ${query.repository}`;
  if (found.size === 1) return [...found.values()][0];
  if (found.size === 0)
    return {
      line: `No pull-request comment: no open pull request from ${where} (closed, or pushed to since this run), so there is nothing to comment on nor base branch to compare with.`,
    };
  const numbers = [...found.keys()].map((n) => `#${n}`).join(', ');
  return {
    line: `No pull-request comment: ${found.size} open pull requests from ${where} (${numbers}); not guessing which one the run belongs to.`,
  };
}
