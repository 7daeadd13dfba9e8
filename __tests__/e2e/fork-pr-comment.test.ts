/**
 * The two-workflow setup for a pull request from a fork, through the bundle: the workflow_run
 * payload lists no pull request (GitHub leaves `pull_requests` empty for a fork's), so the action
 * finds it with the REST API stand-in (`GET /repos/o/r/pulls?head=owner:branch`, paginated),
 * comments on it and compares with its base branch's recorded failures. A closed pull request,
 * or two at the commit: one info line; a token that may not list pull requests (403): one
 * notice; a 5xx is retried; none fails the step. The gate still refuses workflow_run. Report-only mode keeps these runs free of Python.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, type EventContext, type RunResult } from '../../tools/harness.js';
import { forkPull, useGitHubApi } from '../support/github-api.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-fork-pr-'));
const keyFile = join(scratch, 'key/cache-hmac.key');
mkdirSync(join(scratch, 'key'), { mode: 0o700 });
writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

const api = useGitHubApi();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const REPO = 'octo-org/octo-service';
const PR = 31;
const DEVELOP_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const MAIN_SHA = 'b'.repeat(40);
const FORK_SHA = '0123456789abcdef0123456789abcdef01234567';
const MARKER = '<!-- pyci:PR comment:test -->';

const onDevelop: EventContext = {
  name: 'push',
  ref: 'refs/heads/develop',
  payload: { repository: { full_name: REPO, default_branch: 'main' } },
};

/** The workflow_run event behind the fork's pull_request run: GitHub lists no pull request. */
const behindForkRun: EventContext = {
  name: 'workflow_run',
  ref: 'refs/heads/main',
  payload: {
    action: 'completed',
    workflow_run: {
      event: 'pull_request',
      conclusion: 'failure',
      head_branch: 'fix/parser',
      head_sha: FORK_SHA,
      head_repository: {
        full_name: 'mallory/octo-service',
        fork: true,
        owner: { login: 'mallory' },
      },
      pull_requests: [],
    },
    repository: { full_name: REPO, default_branch: 'main' },
  },
};

/** A workspace with one JUnit report of tests a, b and c; those named in `failing` failed. */
function workspaceFailing(...failing: string[]): string {
  const dir = mkdtempSync(join(scratch, 'ws-'));
  const cases = ['a', 'b', 'c'].map((name) => {
    const failure = failing.includes(name)
      ? `<failure message="assert ${name}">tests/test_x.py:9: AssertionError</failure>`
      : '';
    return `<testcase classname="tests.test_x" name="test_${name}" file="tests/test_x.py" line="3" time="0.1">${failure}</testcase>`;
  });
  writeFileSync(
    join(dir, 'report.xml'),
    `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" time="0.3">${cases.join('')}</testsuite></testsuites>`,
  );
  return dir;
}

function run(
  workspace: string,
  event: EventContext,
  sha: string,
  inputs: Record<string, string>,
): Promise<RunResult> {
  return runAction({
    workspace,
    event,
    inputs: { 'junit-files': 'report.xml', token: 'test-token', ...inputs },
    env: {
      GITHUB_API_URL: api().url,
      GITHUB_WORKFLOW: 'PR comment',
      GITHUB_SHA: sha,
      PYCI_CACHE_KEY_FILE: keyFile,
    },
  });
}

const commentOn = (pr: number) =>
  (api().comments.get(pr) ?? []).find((c) => c.body.includes(MARKER))?.body;
const pullListings = () =>
  api().calls.filter((c) => c.method === 'GET' && c.path.startsWith(`/repos/${REPO}/pulls?`));
const writes = () => api().calls.filter((c) => c.method === 'POST' || c.method === 'PATCH');

test("a fork's pull request: found through the API, commented on, compared with its base branch", async () => {
  const cacheDir = join(scratch, 'cache-found');
  // develop records its failures (test_a); the fork's pull request targets develop.
  const develop = await run(workspaceFailing('a'), onDevelop, DEVELOP_SHA, {
    'cache-dir': cacheDir,
  });
  expect(develop.exitCode).toBe(1);
  expect(develop.stdout).toContain("Recorded this run's results as pyci-results-");

  // 120 stale pull requests from the same head put ours on the second page; a pull request
  // from another owner's branch of the same name, and a closed one at the same commit, are not it.
  for (let n = 100; n < 220; n++)
    api().pulls.push(forkPull(n, { owner: 'mallory', branch: 'fix/parser', sha: 'c'.repeat(40) }));
  api().pulls.push(
    forkPull(PR, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA, base: 'develop' }),
    forkPull(8, { owner: 'trudy', branch: 'fix/parser', sha: FORK_SHA }),
    forkPull(9, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA, state: 'closed' }),
  );

  const result = await run(workspaceFailing('a', 'b'), behindForkRun, MAIN_SHA, {
    'cache-dir': cacheDir,
    comment: 'always',
    annotations: 'false',
    // Asked to deploy on workflow_run: the gate still refuses it without allow-unsafe-events.
    'deploy-events': 'workflow_run',
  });
  expect(result.exitCode).toBe(1);
  expect(result.warnings).toEqual([]);
  expect(result.notices).toEqual([]);
  expect(result.stdout).toContain(
    'The run behind this workflow_run belongs to pull request #31 (mallory:fix/parser into develop).',
  );
  const listings = pullListings();
  expect(listings.length).toBe(2);
  expect(listings[0].path).toContain('head=mallory%3Afix%2Fparser');
  expect(listings[0].path).toContain('state=open');
  expect(listings[1].path).toMatch(/[?&]page=2/);

  const body = commentOn(PR);
  expect(body).toBeDefined();
  expect(body).toContain('2 failed, 1 new, 1 passed');
  expect(body).toContain('**Already failing on <code>develop</code>** (at a1b2c3d)');
  expect(result.summary).toContain(
    'Compared with <code>develop</code> at a1b2c3d: 1 new failing test(s), 1 already failing there.',
  );
  // Failures link to their line at the commit the tests ran (the fork's head), in the comment
  // and the summary, not at GITHUB_SHA (the default branch's head behind workflow_run).
  expect(body).toContain(`/blob/${FORK_SHA}/tests/test_x.py#L`);
  expect(result.summary).toContain(`/blob/${FORK_SHA}/tests/test_x.py#L`);
  expect(`${body}${result.summary}`).not.toContain(`/blob/${MAIN_SHA}/`);
  // Only pull request #31 got a comment.
  expect([...api().comments.keys()]).toEqual([PR]);

  expect(result.outputs.deploy).toBe('false');
  expect(result.outputs['deploy-reason']).toBe(
    "not deploying: event workflow_run runs with this repository's secrets on code from elsewhere and allow-unsafe-events is false",
  );
  expect(body).toContain('allow-unsafe-events is false');
}, 120_000);

test('the pull request was closed (or pushed to since): one info line, no comment, no failure', async () => {
  api().pulls.push(
    forkPull(PR, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA, state: 'closed' }),
    forkPull(PR + 1, { owner: 'mallory', branch: 'fix/parser', sha: 'd'.repeat(40) }),
  );
  const result = await run(workspaceFailing(), behindForkRun, MAIN_SHA, {
    comment: 'always',
    annotations: 'false',
  });
  expect(result.exitCode).toBe(0);
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.notices).toEqual([]);
  const lines = result.stdout.split('\n').filter((l) => l.startsWith('No pull-request comment'));
  expect(lines).toEqual([
    `No pull-request comment: no open pull request from mallory:fix/parser at 0123456 into ${REPO} (closed, or pushed to since this run), so there is nothing to comment on nor base branch to compare with.`,
  ]);
  expect(pullListings()).toHaveLength(1);
  expect(writes()).toEqual([]);
  expect(result.outputs.deploy).toBe('false');
}, 60_000);

test('a token that may not list pull requests (403): one notice, no comment, no failure', async () => {
  api().pulls.push(forkPull(PR, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA }));
  api().faults.push(403);
  const result = await run(workspaceFailing(), behindForkRun, MAIN_SHA, {
    comment: 'always',
    annotations: 'false',
  });
  expect(result.exitCode).toBe(0);
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.notices).toHaveLength(1);
  expect(result.notices[0]).toContain(
    `No pull-request comment: the token may not list the pull requests of ${REPO} (GitHub answered 403)`,
  );
  // Tried once (a 403 without rate-limit headers is not retried), then nothing more.
  expect(api().calls).toHaveLength(1);
  expect(pullListings()).toHaveLength(1);
  expect(result.outputs.deploy).toBe('false');
}, 60_000);

test('a 5xx on listing is retried, then the comment is written', async () => {
  api().pulls.push(forkPull(PR, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA }));
  api().faults.push(502);
  const result = await run(workspaceFailing(), behindForkRun, MAIN_SHA, {
    comment: 'always',
    annotations: 'false',
  });
  expect(result.exitCode).toBe(0);
  expect(result.warnings).toEqual([]);
  expect(result.notices).toEqual([]);
  expect(pullListings().map((c) => c.status)).toEqual([502, 200]);
  expect(commentOn(PR)).toContain('3 passed');
}, 60_000);

test('two open pull requests at the run commit: one info line naming them, no comment', async () => {
  api().pulls.push(
    forkPull(PR, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA, base: 'main' }),
    forkPull(PR + 1, { owner: 'mallory', branch: 'fix/parser', sha: FORK_SHA, base: 'develop' }),
  );
  const result = await run(workspaceFailing(), behindForkRun, MAIN_SHA, {
    comment: 'always',
    annotations: 'false',
  });
  expect(result.exitCode).toBe(0);
  expect(result.warnings).toEqual([]);
  expect(result.notices).toEqual([]);
  const lines = result.stdout.split('\n').filter((l) => l.startsWith('No pull-request comment'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(
    `2 open pull requests from mallory:fix/parser at 0123456 into ${REPO} (#31, #32)`,
  );
  expect(writes()).toEqual([]);
}, 60_000);
