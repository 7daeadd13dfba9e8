/**
 * New failures vs failures already on the base branch, through the bundle: a push run on `main`
 * records its failures in the cache (local directory, then GitHub's cache service stand-in); a
 * pull request run into `main` reads them and splits its comment (REST API stand-in) and summary.
 * A garbage entry is ignored; a pull request run never records one. Report-only mode keeps these
 * runs free of Python.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCacheBackend } from '../../src/deps/cache/local.js';
import { resultsKey } from '../../src/report/baseline/key.js';
import { runAction, type EventContext, type RunResult } from '../../tools/harness.js';
import { useCacheServer } from '../support/cache-server.js';
import { useGitHubApi } from '../support/github-api.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-baseline-'));
const keyFile = join(scratch, 'key/cache-hmac.key');
const secret = randomBytes(32);
mkdirSync(join(scratch, 'key'), { mode: 0o700 });
writeFileSync(keyFile, `${secret.toString('hex')}\n`, { mode: 0o600 });

const api = useGitHubApi();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PR = 9;
const MAIN_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const PR_SHA = '0123456789abcdef0123456789abcdef01234567';
const onMain: EventContext = {
  name: 'push',
  ref: 'refs/heads/main',
  payload: { repository: { default_branch: 'main' } },
};
const pullRequest: EventContext = {
  name: 'pull_request',
  ref: `refs/pull/${PR}/merge`,
  headRef: 'feature',
  baseRef: 'main',
  payload: {
    pull_request: {
      number: PR,
      head: { ref: 'feature', repo: { full_name: 'octo-org/octo-service' } },
      base: { ref: 'main', repo: { full_name: 'octo-org/octo-service' } },
    },
    repository: { full_name: 'octo-org/octo-service', default_branch: 'main' },
  },
};

/** A workspace with one JUnit report of tests a, b and c; those named in `failing` failed. */
function workspaceFailing(...failing: string[]): string {
  return workspaceOf(['a', 'b', 'c'], failing);
}

/** A workspace with one JUnit report of the tests `names`; those in `failing` failed. */
function workspaceOf(names: string[], failing: string[]): string {
  const dir = mkdtempSync(join(scratch, 'ws-'));
  const cases = names.map((name) => {
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
  env: Record<string, string> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    event,
    inputs: { 'junit-files': 'report.xml', token: 'test-token', ...inputs },
    env: {
      GITHUB_API_URL: api().url,
      GITHUB_WORKFLOW: 'CI',
      GITHUB_SHA: sha,
      PYCI_CACHE_KEY_FILE: keyFile,
      ...env,
    },
  });
}

const MARKER = '<!-- pyci:CI:test -->';
const comment = () => (api().comments.get(PR) ?? []).find((c) => c.body.includes(MARKER))?.body;

/** The results entries (checksum pointers) in a local cache directory. */
function resultsEntries(cacheDir: string): string[] {
  return existsSync(cacheDir)
    ? readdirSync(cacheDir).filter((n) => n.startsWith('pyci-results-') && n.endsWith('.sha256'))
    : [];
}

/** The list items under a heading line of the comment. */
function section(body: string, heading: string): string[] {
  const lines = body.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const items: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('- ')) break;
    items.push(line);
  }
  return items;
}

function expectSplitComment(body: string | undefined): void {
  expect(body).toBeDefined();
  expect(body).toContain('2 failed, 1 new, 1 passed');
  const fresh = section(body!, '**New failures**');
  const known = section(body!, '**Already failing on <code>main</code>** (at a1b2c3d)');
  expect(fresh).toEqual([expect.stringContaining('<code>tests/test_x.py::test_b</code>')]);
  expect(known).toEqual([expect.stringContaining('<code>tests/test_x.py::test_a</code>')]);
  expect(body).not.toContain('**Failures and errors**');
}

describe('local cache directory', () => {
  test('a push on main records its failures; a pull request into main splits them', async () => {
    const cacheDir = join(scratch, 'cache-split');
    const inputs = { 'cache-dir': cacheDir };

    const main = await run(workspaceFailing('a'), onMain, MAIN_SHA, inputs);
    expect(main.exitCode).toBe(1);
    expect(main.warnings).toEqual([]);
    expect(resultsEntries(cacheDir)).toHaveLength(1);
    expect(main.stdout).toContain("Recorded this run's results as pyci-results-");

    const pr = await run(workspaceFailing('a', 'b'), pullRequest, PR_SHA, inputs);
    expect(pr.exitCode).toBe(1);
    expect(pr.warnings).toEqual([]);
    expectSplitComment(comment());
    expect(pr.summary).toContain(
      'Compared with <code>main</code> at a1b2c3d: 1 new failing test(s), 1 already failing there.',
    );
    // (4) A pull request run records nothing.
    expect(resultsEntries(cacheDir)).toHaveLength(1);
    expect(pr.stdout).not.toContain("Recorded this run's results");
  }, 120_000);

  test('more than 50 failures on both sides: only the tests main did not fail are new', async () => {
    const cacheDir = join(scratch, 'cache-many');
    const inputs = { 'cache-dir': cacheDir };
    const names = Array.from({ length: 150 }, (_, i) => `t${i}`);
    // main fails t0..t99; the pull request fails t0..t119: 20 new, beyond the 50 kept in detail.
    const main = await run(workspaceOf(names, names.slice(0, 100)), onMain, MAIN_SHA, inputs);
    expect(main.exitCode).toBe(1);
    expect(main.warnings).toEqual([]);
    const pr = await run(workspaceOf(names, names.slice(0, 120)), pullRequest, PR_SHA, inputs);
    expect(pr.exitCode).toBe(1);
    expect(pr.warnings).toEqual([]);
    expect(pr.summary).toContain(
      'Compared with <code>main</code> at a1b2c3d: 20 new failing test(s), 100 already failing there.',
    );
    const body = comment()!;
    expect(body).toContain('120 failed, 20 new, 30 passed');
    expect(body).not.toContain('at least');
    expect(body).not.toContain('more failure(s) than its results list');
    // The 50 failures kept in detail are all known ones; the 20 new are counted in their list.
    expect(section(body, '**New failures**')).toEqual(['- and 20 more']);
  }, 120_000);

  test('workflow_run behind a pull request (the two-workflow setup) compares with its base branch', async () => {
    const cacheDir = join(scratch, 'cache-workflow-run');
    const inputs = { 'cache-dir': cacheDir, comment: 'always', annotations: 'false' };
    await run(workspaceFailing('a'), onMain, MAIN_SHA, inputs);
    const behind = (pullRequests: unknown[]): EventContext => ({
      name: 'workflow_run',
      ref: 'refs/heads/main',
      payload: {
        action: 'completed',
        workflow_run: {
          event: 'pull_request',
          head_branch: 'feature',
          head_sha: PR_SHA,
          head_repository: { full_name: 'octo-org/octo-service' },
          pull_requests: pullRequests,
        },
        repository: { full_name: 'octo-org/octo-service', default_branch: 'main' },
      },
    });
    const listed = [{ number: PR, base: { ref: 'main' }, head: { ref: 'feature' } }];
    const pr = await run(workspaceFailing('a', 'b'), behind(listed), MAIN_SHA, inputs);
    expect(pr.exitCode).toBe(1);
    expect(pr.warnings).toEqual([]);
    expectSplitComment(comment());
    // It never records: workflow_run acts on a pull request's results.
    expect(resultsEntries(cacheDir)).toHaveLength(1);

    // No pull request listed and no head owner to look one up by: no comment, one line saying
    // why (a fork's, found through the API: fork-pr-comment.test.ts).
    api().comments.clear();
    const fork = await run(workspaceFailing('a', 'b'), behind([]), MAIN_SHA, inputs);
    expect(fork.exitCode).toBe(1);
    expect(fork.warnings).toEqual([]);
    expect(comment()).toBeUndefined();
    expect(fork.stdout).toContain('lists no pull request');
  }, 120_000);

  test('a garbage entry is ignored with one info line; the comment lists the failures unsplit', async () => {
    const cacheDir = join(scratch, 'cache-garbage');
    // Planted with the cache's own secret, so only its content is wrong.
    const backend = new LocalCacheBackend(cacheDir, {
      auth: { secret, run: { event: 'push', trusted: true } },
      compression: 'none',
    });
    const planted = join(scratch, 'planted');
    mkdirSync(planted);
    writeFileSync(
      join(planted, 'results.json'),
      JSON.stringify({ sha: MAIN_SHA, ref: 'refs/heads/main', failing: [{ id: 1 }] }),
    );
    const key = resultsKey({ workflow: 'CI', job: 'test', shard: '' }, 'main', MAIN_SHA);
    expect(await backend.save(key, [planted])).toBe(true);

    const pr = await run(workspaceFailing('a', 'b'), pullRequest, PR_SHA, {
      'cache-dir': cacheDir,
    });
    expect(pr.exitCode).toBe(1);
    expect(pr.warnings).toEqual([]);
    // The two failures' annotations and the step's failure, nothing else.
    expect(pr.errors).toEqual(['assert a', 'assert b', expect.stringMatching(/^Tests failed/)]);
    expect(pr.stdout).toContain(`Ignoring the results entry ${key}:`);
    const body = comment();
    expect(body).toContain('**Failures and errors**');
    expect(body).not.toContain('new');
    expect(body).toContain('_No results from <code>main</code> to compare with._');
  }, 120_000);

  test('cache: none neither records nor compares', async () => {
    const cacheDir = join(scratch, 'cache-none');
    const inputs = { 'cache-dir': cacheDir, cache: 'none' };
    await run(workspaceFailing('a'), onMain, MAIN_SHA, inputs);
    expect(resultsEntries(cacheDir)).toEqual([]);
    await run(workspaceFailing('a', 'b'), pullRequest, PR_SHA, inputs);
    expect(comment()).toContain('**Failures and errors**');
    expect(comment()).not.toContain('compare');
  }, 120_000);
});

describe("GitHub's cache service (stand-in)", () => {
  const server = useCacheServer();

  test('the pull request restores the base branch entry by prefix, and saves none', async () => {
    // RUNNER_TEMP is the same path in every job of a hosted runner.
    const runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));
    const env = { ...server().env, RUNNER_TEMP: runnerTemp };

    const main = await run(workspaceFailing('a'), onMain, MAIN_SHA, {}, env);
    expect(main.exitCode).toBe(1);
    expect(main.warnings).toEqual([]);
    const saved = server()
      .entries()
      .filter((e) => e.key.startsWith('pyci-results-'));
    expect(saved).toEqual([expect.objectContaining({ finalized: true })]);
    expect(saved[0].key.endsWith(`-main:${MAIN_SHA}`)).toBe(true);

    server().calls.length = 0;
    const pr = await run(workspaceFailing('a', 'b'), pullRequest, PR_SHA, {}, env);
    expect(pr.exitCode).toBe(1);
    expect(pr.warnings).toEqual([]);
    expectSplitComment(comment());
    expect(server().calls).toContain('GetCacheEntryDownloadURL');
    expect(server().calls).not.toContain('CreateCacheEntry');
    expect(existsSync(join(runnerTemp, 'pyci-results'))).toBe(false);
  }, 180_000);
});
