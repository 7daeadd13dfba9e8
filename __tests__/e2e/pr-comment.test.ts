/**
 * The sticky pull-request comment through the real bundle, against a GitHub REST API stand-in on
 * 127.0.0.1 (GITHUB_API_URL): created, then updated in place; found on the third page of a
 * pull request with 300 comments; 5xx answers retried; a fork's read-only token (403) gives one
 * notice and no failure. Report-only mode keeps these runs free of Python.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, type RunResult } from '../../tools/harness.js';
import { useGitHubApi } from '../support/github-api.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-comment-'));
const api = useGitHubApi();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PR = 7;
const pullRequestEvent = {
  name: 'pull_request',
  ref: `refs/pull/${PR}/merge`,
  headRef: 'feature',
  baseRef: 'main',
  payload: {
    pull_request: {
      number: PR,
      head: { ref: 'feature', repo: { full_name: 'octo-org/octo-service' } },
      base: { ref: 'main' },
    },
    repository: { full_name: 'octo-org/octo-service' },
  },
};

/** A workspace holding one JUnit report: `failing` decides whether its one test failed. */
function workspaceWith(failing: boolean): string {
  const dir = mkdtempSync(join(scratch, 'ws-'));
  const failure = failing
    ? '<failure message="assert 1 == 2">def test_b():\n&gt;       assert 1 == 2\nE       assert 1 == 2\n\ntests/test_x.py:5: AssertionError</failure>'
    : '';
  writeFileSync(
    join(dir, 'report.xml'),
    `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" time="0.5">` +
      `<testcase classname="tests.test_x" name="test_a" file="tests/test_x.py" line="0" time="0.1" />` +
      `<testcase classname="tests.test_x" name="test_b" file="tests/test_x.py" line="3" time="0.2">${failure}</testcase>` +
      `</testsuite></testsuites>`,
  );
  return dir;
}

function run(
  failing: boolean,
  inputs: Record<string, string> = {},
  event: typeof pullRequestEvent | { name: string } = pullRequestEvent,
): Promise<RunResult> {
  return runAction({
    workspace: workspaceWith(failing),
    inputs: { 'junit-files': 'report.xml', token: 'test-token', ...inputs },
    event,
    env: { GITHUB_API_URL: api().url, GITHUB_WORKFLOW: 'CI', GITHUB_RUN_ID: '4242' },
  });
}

const MARKER = '<!-- pyci:CI:test -->';
const ours = () => (api().comments.get(PR) ?? []).filter((c) => c.body.includes(MARKER));

test('created on the first run, then updated in place', async () => {
  const first = await run(true);
  expect(first.exitCode).toBe(1);
  expect(ours()).toHaveLength(1);
  const [comment] = ours();
  expect(comment.body).toContain('1 failed, 1 passed');
  expect(comment.body).toContain('<code>tests/test_x.py::test_b</code>');
  expect(comment.body).toContain(
    'https://github.com/octo-org/octo-service/blob/0123456789abcdef0123456789abcdef01234567/tests/test_x.py#L5',
  );
  expect(comment.body).toContain('https://github.com/octo-org/octo-service/actions/runs/4242');
  expect(comment.body).toContain('Deploy gate');
  expect(api().calls.every((c) => c.authorization === 'token test-token')).toBe(true);
  expect(first.stdout.replace(/::add-mask::test-token/g, '')).not.toContain('test-token');

  const second = await run(false);
  expect(second.exitCode).toBe(0);
  expect(api().comments.get(PR)).toHaveLength(1);
  expect(ours()[0].id).toBe(comment.id);
  expect(ours()[0].body).toContain('✅');
  expect(ours()[0].body).toContain('2 passed');
  expect(api().calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
}, 60_000);

test('a pull request with 300 comments: ours is found on the third page and updated', async () => {
  const others = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, body: `comment ${i}` }));
  others[249].body = `${MARKER}\nold results`;
  api().comments.set(PR, others);
  const result = await run(false);
  expect(result.exitCode).toBe(0);
  expect(api().comments.get(PR)).toHaveLength(300);
  expect(others[249].body).toContain('2 passed');
  expect(api().calls.some((c) => c.method === 'GET' && /[?&]page=3/.test(c.path))).toBe(true);
  expect(api().calls.filter((c) => c.method === 'POST')).toHaveLength(0);
}, 60_000);

test('5xx answers are retried', async () => {
  api().faults.push(502, 503);
  const result = await run(false);
  expect(result.exitCode).toBe(0);
  expect(
    api()
      .calls.slice(0, 2)
      .map((c) => c.status),
  ).toEqual([502, 503]);
  expect(ours()).toHaveLength(1);
  expect(result.warnings).toEqual([]);
}, 60_000);

test("a fork's read-only token: one notice, no failure", async () => {
  api().readOnly = true;
  const result = await run(false);
  expect(result.exitCode).toBe(0);
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  const notices = result.notices.filter((n) => n.includes('No pull-request comment'));
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain('403');
  expect(api().calls.filter((c) => c.method === 'POST')).toHaveLength(1); // tried once, not retried
  expect(result.outputs.deploy).toBe('false');
}, 60_000);

test('no comment on a push, nor with comment: off', async () => {
  await run(false, {}, { name: 'push' });
  await run(false, { comment: 'off' });
  expect(api().calls).toEqual([]);
}, 60_000);
