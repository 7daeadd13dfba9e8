/**
 * The reader against REAL pytest output: the fixture project in __tests__/fixtures/report-suite
 * has every outcome (failures, setup and teardown errors, skips, xfail, xpass, strict xpass,
 * odd parametrize ids, a unittest class, a nested class in a subfolder, pytest 9 subtests). The
 * reader's counts must agree with pytest's own terminal summary line, and its ids with `pytest --collect-only`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildAnnotations } from '../../src/report/annotations.js';
import { readJUnitReports } from '../../src/pytest/junit.js';
import type { TestResult } from '../../src/pytest/result.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const fixtureRelative = '__tests__/fixtures/report-suite';
const fixture = join(repoRoot, fixtureRelative);
const python = process.env.PYTHON ?? 'python3';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'junit-pytest-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Runs pytest in `cwd` (argv only, no shell), without writing caches into the fixture and without
 * third-party plugins (pytest-benchmark, installed here, would create `.benchmarks/`).
 */
function pytest(cwd: string, args: string[]): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1',
  };
  delete env.PYTEST_ADDOPTS;
  const run = spawnSync(python, ['-m', 'pytest', '-p', 'no:cacheprovider', ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Counts from pytest's final line, e.g. `== 7 failed, 7 passed, 2 xfailed, 3 errors in 1.1s ==`. */
function terminalCounts(output: string): Record<string, number> {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => / in [\d.]+s/.test(l));
  if (!line) throw new Error(`no pytest summary line in:\n${output}`);
  const counts: Record<string, number> = {};
  for (const [, n, word] of line.matchAll(/(\d+) (\w+)/g)) {
    counts[word.replace(/^errors$/, 'error')] = Number(n);
  }
  return counts;
}

describe('reader vs a real pytest run (xunit1)', () => {
  let junit: string;
  let output: string;
  let result: TestResult;
  const ids: string[] = [];

  beforeAll(async () => {
    junit = join(tmp, 'report-suite.xml');
    const run = pytest(fixture, ['-o', 'junit_family=xunit1', `--junitxml=${junit}`]);
    output = run.output;
    expect(run.status).toBe(1); // tests failed
    result = await readJUnitReports([junit], { onTestCase: (id) => ids.push(id) });
  });

  test("counts agree with pytest's terminal summary", () => {
    const t = terminalCounts(output);
    expect(t.failed).toBeGreaterThan(0);
    expect(t.error).toBeGreaterThan(0);
    expect(t.xfailed).toBeGreaterThan(0);
    expect(t.xpassed).toBeGreaterThan(0);
    // The fixture has what makes a count per <testcase> go wrong: pytest 9 subtests (one
    // <failure> each, inside one testcase), a teardown error after a passed call (pytest counts
    // passed AND error), and one after a failed call (pytest writes a second testcase).
    expect(output).toMatch(/^SUBFAILED.*test_subtests_some_fail/m);
    expect(output).toMatch(/ERROR at teardown of test_teardown_error_after_pass/);
    expect(output).toMatch(/ERROR at teardown of test_fails_then_teardown_error/);
    expect(result.failed).toBe(t.failed);
    expect(result.errors).toBe(t.error);
    expect(result.skipped).toBe((t.skipped ?? 0) + (t.xfailed ?? 0));
    expect(result.passed).toBe((t.passed ?? 0) + (t.xpassed ?? 0));
    expect(result.tests).toBe(result.passed + result.failed + result.errors + result.skipped);
    expect(result.failures).toHaveLength(result.failed + result.errors);
    expect(result.durationSeconds).toBeGreaterThan(0);
  });

  test('rebuilt ids are exactly the ids pytest collects', () => {
    const run = pytest(fixture, ['--collect-only', '-q']);
    const collected = run.output.split('\n').filter((l) => l.includes('::'));
    expect(collected.length).toBeGreaterThan(10);
    expect(new Set(ids)).toEqual(new Set(collected));
    expect(ids).toContain('tests/test_outcomes.py::test_odd_ids[a b-\\xfc/::x]');
    expect(ids).toContain('tests/test_outcomes.py::test_odd_ids[<tag> & "q"]');
    expect(ids).toContain('tests/sub/test_nested.py::TestOuter::TestInner::test_deep_failure');
    expect(ids).toContain('tests/test_unit_style.py::CalculatorTest::test_wrong_sum');
  });

  test('failures carry the crash line and the traceback', () => {
    const deep = result.failures.find((f) => f.id.endsWith('::test_deep_failure'))!;
    expect(deep).toMatchObject({ kind: 'failure', file: 'tests/sub/test_nested.py' });
    expect(deep.message).toContain('assert 1 == 2');
    expect(deep.details).toContain('E       AssertionError: assert 1 == 2');
    // The line pytest reports for the crash, `tests/sub/test_nested.py:N: AssertionError`.
    const crash = new RegExp(`^tests/sub/test_nested.py:(\\d+): AssertionError$`, 'm');
    expect(deep.line).toBe(Number(crash.exec(output)?.[1]));
    const setup = result.failures.find((f) => f.id.endsWith('::test_fixture_error'))!;
    expect(setup.kind).toBe('error');
    expect(setup.message).toContain('database is down');
  });

  test('annotations point at repo-relative paths with working-directory included', () => {
    const plan = buildAnnotations(result, { repoRoot, workingDirectory: fixtureRelative });
    const deep = plan.annotations.find((a) => a.title.endsWith('::test_deep_failure'))!;
    expect(deep.file).toBe(`${fixtureRelative}/tests/sub/test_nested.py`);
    expect(deep.line).toBe(result.failures.find((f) => f.id.endsWith('deep_failure'))!.line);
    expect(plan.annotations).toHaveLength(Math.min(10, result.failed + result.errors));
  });
});

test('a collection error (with --continue-on-collection-errors) is one error named by its file', async () => {
  const project = join(tmp, 'collect-error');
  mkdirSync(join(project, 'tests'), { recursive: true });
  writeFileSync(join(project, 'pytest.ini'), '[pytest]\n');
  writeFileSync(join(project, 'tests', 'test_broken.py'), 'import not_a_module_xyz\n');
  writeFileSync(join(project, 'tests', 'test_fine.py'), 'def test_fine():\n    assert True\n');
  const junit = join(tmp, 'collect-error.xml');
  const run = pytest(project, [
    '-o',
    'junit_family=xunit1',
    `--junitxml=${junit}`,
    '--continue-on-collection-errors',
  ]);
  const t = terminalCounts(run.output);
  const result = await readJUnitReports([junit]);
  expect(result).toMatchObject({ passed: t.passed, errors: t.error, tests: 2 });
  expect(result.failures[0]).toMatchObject({ id: 'tests/test_broken.py', kind: 'error' });
  expect(result.failures[0].details).toContain('not_a_module_xyz');
});
