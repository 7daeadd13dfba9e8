/**
 * Issue 11 (all but coverage) through the real bundle (dist/index.js): counts that agree with
 * pytest's closing line (pytest 9 subtests, teardown errors), the summary's details, reruns and
 * flaky tests. Real Python 3.11 from a runner-style tool cache, real pip, real pytest 9.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-details-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const toolCache = mkdtempSync(join(scratch, 'toolcache-'));
layoutToolCache(toolCache, [newestPatch('3.11')]);
/** Shared venv cache: each fixture keeps its workspace path, so later runs restore its venv. */
const sharedCache = mkdtempSync(join(scratch, 'cache-'));
const workspaces = mkdtempSync(join(scratch, 'ws-'));

function workspaceFrom(fixture: string, name = fixture): string {
  const dir = join(workspaces, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, '__tests__/fixtures/projects', fixture), dir, { recursive: true });
  return dir;
}

function run(
  workspace: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'cache-dir': sharedCache,
      ...inputs,
    },
    env,
  });
}

/** pytest's own closing line in the log (`=== 23 failed, 2 passed, 2 errors in 0.1s ===`). */
function closingCounts(stdout: string): Record<string, number> {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => /^=+ .* in [\d.]+s(?: \([^)]*\))? =+$/.test(l.trim()));
  if (!line) throw new Error(`no pytest closing line in:\n${stdout}`);
  const counts: Record<string, number> = {};
  for (const [, n, word] of line.matchAll(/(\d+) (\w+)/g))
    counts[word.replace(/^errors$/, 'error')] = Number(n);
  return counts;
}

/** Error annotations that point at a file (the step's own error has no file). */
const fileAnnotations = (result: RunResult) =>
  result.commands.filter((line) => line.startsWith('::error ') && line.includes('file='));

describe('counts agree with pytest', () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await run(workspaceFrom('report-subtests'));
  }, 120_000);

  it("outputs, summary and annotations give pytest's counts for subtests and teardown errors", () => {
    expect(result.exitCode).toBe(1);
    const pytest = closingCounts(result.stdout);
    // 21 failed subtests and their test, one more failure; a teardown error after a pass and
    // one after a failure (pytest writes that test's <testcase> twice).
    expect(pytest.failed).toBeGreaterThan(21);
    expect(result.outputs.failed).toBe(String(pytest.failed));
    expect(result.outputs.errors).toBe(String(pytest.error));
    expect(result.outputs.passed).toBe(String(pytest.passed));
    expect(result.outputs.tests).toBe(String(pytest.failed + pytest.error + pytest.passed));
    expect(result.summary).toContain(
      `${pytest.failed} failed, ${pytest.error} errors, ${pytest.passed} passed`,
    );
    // Annotated failures plus the ones the overflow notice counts add up to the outputs.
    const more = result.notices
      .map((n) => /^(\d+) more failures? not annotated/.exec(n))
      .find((m) => m !== null);
    expect(fileAnnotations(result).length + Number(more?.[1] ?? 0)).toBe(
      pytest.failed + pytest.error,
    );
  });

  it('the summary links each failure to its line at the commit, and drops what says nothing', () => {
    // The harness's GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA.
    const blob =
      'https://github.com/octo-org/octo-service/blob/0123456789abcdef0123456789abcdef01234567/';
    const line =
      /def test_fails_then_teardown_error[\s\S]*?\n(tests\/test_subtests\.py):(\d+): AssertionError/.exec(
        result.stdout,
      );
    expect(line).not.toBeNull();
    expect(result.summary).toContain(`<a href="${blob}${line![1]}#L${line![2]}">`);
    // The "slowest" table only when a test took 100 ms or more (these are quick, but a loaded
    // machine can make one slow): judged from the report's own durations.
    const junit = readFileSync(result.outputs['junit-path'], 'utf8');
    const times = [...junit.matchAll(/<testcase [^>]*time="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(times.length).toBeGreaterThan(0);
    expect(result.summary.includes('Slowest')).toBe(times.some((t) => t >= 0.1));
    // The report in RUNNER_TEMP is not named.
    expect(result.summary).not.toContain(result.runnerTemp);
    expect(result.summary).not.toContain('Read from');
  });
});

describe('annotations: false', () => {
  it('fails the step with its counts but annotates nothing', async () => {
    const result = await run(workspaceFrom('report-subtests'), { annotations: 'false' });
    expect(result.exitCode).toBe(1);
    expect(Number(result.outputs.failed)).toBeGreaterThan(21);
    expect(fileAnnotations(result)).toEqual([]);
    expect(result.errors).toHaveLength(1); // the step's own error
  }, 120_000);
});

describe('a step that fails before the tests says why in the summary', () => {
  it('a package pip cannot find', async () => {
    const result = await run(workspaceFrom('missing-package'));
    expectCleanFailure(result);
    expect(result.summary).toContain('❌ The step failed');
    expect(result.summary).toContain('definitely-not-a-real-package-pyci');
    expect(result.summary).toContain(result.outputs['deploy-reason']);
    expect(result.outputs.deploy).toBe('false');
  }, 120_000);

  it('a build backend that [build-system] does not install', async () => {
    const result = await run(workspaceFrom('build-backend-missing'));
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^install-project: .*"hatchling\.build".*\[build-system\]/);
    expect(result.summary).toContain('[build-system]');
  }, 120_000);

  it('a bad input', async () => {
    const result = await run(workspaceFrom('report-subtests'), { reruns: 'many' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^reruns "many" is not a whole number/);
    expect(result.summary).toContain('reruns "many"');
  });
});

describe('reruns and flaky tests', () => {
  it('a test that passes on a rerun is flaky: listed, counted, and the step passes', async () => {
    const result = await run(workspaceFrom('flaky'), {
      reruns: '2',
      'pytest-args': '-k "not always"',
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.flaky).toBe('1');
    expect(result.outputs).toMatchObject({ failed: '0', errors: '0', passed: '2', tests: '2' });
    expect(result.summary).toContain('Flaky test');
    expect(result.summary).toContain('<code>tests/test_flaky.py::test_flaky_first_time</code>');
    // The merged JUnit report says the same: the flaky test's passing run replaced its failure.
    const merged = readFileSync(result.outputs['junit-path'], 'utf8');
    expect(merged).not.toContain('<failure');
    expect(merged).toContain('name="pyci-rerun" value="1"');
    expect(result.warnings.some((w) => w.includes('test_flaky_first_time'))).toBe(true);
  }, 120_000);

  it('fail-on-flaky: true fails the step on a flaky test', async () => {
    const result = await run(workspaceFrom('flaky'), {
      reruns: '1',
      'fail-on-flaky': 'true',
      'pytest-args': '-k "not always"',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.flaky).toBe('1');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /1 flaky test\(s\) passed only on a rerun, and fail-on-flaky is true/,
    );
    expect(result.outputs.deploy).toBe('false');
  }, 120_000);

  it('a test that fails every time still fails the step; the flaky one is still flaky', async () => {
    const result = await run(workspaceFrom('flaky'), { reruns: '2' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ flaky: '1', failed: '1', passed: '2' });
    // Reruns ran the failing test twice more: three runs in all.
    expect(result.stdout.match(/^tests\/test_flaky\.py:\d+: AssertionError$/gm)?.length).toBe(
      4, // the flaky test's first failure + the always-failing test three times
    );
  }, 120_000);

  it('without reruns a flaky test fails the step as before', async () => {
    const result = await run(workspaceFrom('flaky'), { 'pytest-args': '-k "not always"' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.failed).toBe('1');
    expect(result.outputs.flaky).toBeUndefined();
  }, 120_000);
});

describe('report-only mode finds the flaky tests in merged reports', () => {
  /** A workspace holding what shard jobs uploaded: a merged report and an ordinary one. */
  let reports: string;
  let fullRun: RunResult;
  const flakyId = '<code>tests/test_flaky.py::test_flaky_first_time</code>';
  beforeAll(async () => {
    // A job with reruns: its merged report marks the test that passed on a rerun.
    fullRun = await run(workspaceFrom('flaky', 'flaky-for-report'), {
      reruns: '2',
      'pytest-args': '-k "not always"',
    });
    expect(fullRun.outputs.flaky).toBe('1');
    // A job whose tests all passed the first time: an ordinary report.
    const plain = await run(workspaceFrom('passing', 'passing-for-report'));
    expect(plain.exitCode).toBe(0);
    reports = mkdtempSync(join(scratch, 'reports-'));
    mkdirSync(join(reports, 'reports'));
    copyFileSync(fullRun.outputs['junit-path'], join(reports, 'reports/flaky.xml'));
    copyFileSync(plain.outputs['junit-path'], join(reports, 'reports/plain.xml'));
  }, 240_000);

  /** Report-only mode on `junitFiles` (no Python needed: an empty tool cache). */
  function reportOnly(junitFiles: string, inputs: Record<string, string> = {}) {
    return runAction({
      workspace: reports,
      toolCache: mkdtempSync(join(scratch, 'empty-tc-')),
      inputs: { 'junit-files': junitFiles, cache: 'none', ...inputs },
    });
  }

  it('the merged report alone: flaky output, summary section and warning, as the full run', async () => {
    const result = await reportOnly('reports/flaky.xml');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ flaky: '1', passed: '2', failed: '0', tests: '2' });
    // The same id, in the same section, as the run that reran it.
    expect(fullRun.summary).toContain(flakyId);
    expect(result.summary).toContain('Flaky test');
    expect(result.summary).toContain(flakyId);
    expect(result.warnings.some((w) => w.includes('test_flaky_first_time'))).toBe(true);
  }, 60_000);

  it('with a second, ordinary report: the counts add up and the flaky test is still found', async () => {
    const result = await reportOnly('reports/*.xml');
    expect(result.exitCode).toBe(0);
    const passedPlain = Number(result.outputs.passed) - 2;
    expect(passedPlain).toBeGreaterThan(0);
    expect(result.outputs).toMatchObject({ flaky: '1', failed: '0', errors: '0' });
    expect(result.summary).toContain(flakyId);
  }, 60_000);

  it('fail-on-flaky: true fails the step, and the gate does not deploy', async () => {
    const result = await reportOnly('reports/*.xml', { 'fail-on-flaky': 'true' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.flaky).toBe('1');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^1 flaky test\(s\) passed only on a rerun, and fail-on-flaky is true: tests\/test_flaky\.py::test_flaky_first_time\./,
    );
    expect(result.outputs.deploy).toBe('false');
    expect(result.summary).toContain('They fail the step (fail-on-flaky).');
  }, 60_000);

  it('a report without marks: flaky is 0 with reruns set, unset without, as in a full run', async () => {
    const withReruns = await reportOnly('reports/plain.xml', { reruns: '2' });
    expect(withReruns.exitCode).toBe(0);
    expect(withReruns.outputs.flaky).toBe('0');
    expect(withReruns.summary).not.toContain('Flaky');
    const without = await reportOnly('reports/plain.xml');
    expect(without.exitCode).toBe(0);
    expect(without.outputs.flaky).toBeUndefined();
  }, 60_000);
});
