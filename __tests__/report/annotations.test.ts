/** Annotations: repo-relative paths, the cap of 10 and the overflow notice, and what reaches core. */
import { jest } from '@jest/globals';
import { buildAnnotations, repoRelative } from '../../src/report/annotations.js';
import type { TestFailure, TestResult } from '../../src/pytest/result.js';
import { mockActionsCore } from '../support/core-fixture.js';

const repoRoot = '/home/runner/work/app/app';

function failures(n: number): TestFailure[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `tests/test_a.py::test_${i}`,
    kind: i === 0 ? 'error' : 'failure',
    file: 'tests/test_a.py',
    line: 10 + i,
    message: i === 1 ? '' : `assert ${i} == 0`,
    details: `>   assert x\nE   assert ${i} == 0\nE    +  where 1 = f()\n\ntests/test_a.py:${10 + i}: AssertionError`,
  }));
}

function result(kept: number, omitted = 0): TestResult {
  return {
    tests: kept + omitted,
    passed: 0,
    failed: kept + omitted,
    errors: 0,
    skipped: 0,
    durationSeconds: 1,
    failures: failures(kept),
    failuresOmitted: omitted,
    slowest: [],
  };
}

describe('buildAnnotations', () => {
  test('a matrix: one annotation per test and place, saying on which legs it failed', () => {
    const legs = ['py3.11', 'py3.12'].map((leg) => `/w/junit/junit-ubuntu-${leg}/r.xml`);
    const both = result(2);
    both.failures = legs.flatMap((source) => failures(2).map((f) => ({ ...f, source })));
    both.failed = both.failures.length;
    const label = (source: string) =>
      source
        .split('/')
        .at(-2)!
        .replace(/^junit-/, '');
    const plan = buildAnnotations(both, { repoRoot, workingDirectory: '.' }, 10, label);
    expect(plan.annotations.map((a) => a.title)).toEqual([
      'Error in tests/test_a.py::test_0 (on ubuntu-py3.11, ubuntu-py3.12)',
      'Failed: tests/test_a.py::test_1 (on ubuntu-py3.11, ubuntu-py3.12)',
    ]);
    expect(plan.overflowNotice).toBeUndefined();
  });

  test('one annotation per failure, path relative to the repository root', () => {
    const plan = buildAnnotations(result(3), { repoRoot, workingDirectory: 'services/api' });
    expect(plan.overflowNotice).toBeUndefined();
    expect(plan.annotations[0]).toEqual({
      file: 'services/api/tests/test_a.py',
      line: 10,
      title: 'Error in tests/test_a.py::test_0',
      message: 'assert 0 == 0',
    });
    expect(plan.annotations[2].title).toBe('Failed: tests/test_a.py::test_2');
    // No message attribute: the E lines of the traceback stand in.
    expect(plan.annotations[1].message).toBe('assert 1 == 0\n+  where 1 = f()');
  });

  test('caps at 10 errors, then one notice counting the rest (kept and omitted)', () => {
    const plan = buildAnnotations(result(50, 25), { repoRoot, workingDirectory: '.' });
    expect(plan.annotations).toHaveLength(10);
    expect(plan.overflowNotice).toBe('65 more failures not annotated; see the job summary.');
    expect(buildAnnotations(result(11), { repoRoot, workingDirectory: '.' }).overflowNotice).toBe(
      '1 more failure not annotated; see the job summary.',
    );
    expect(
      buildAnnotations(result(10), { repoRoot, workingDirectory: '.' }).overflowNotice,
    ).toBeUndefined();
  });

  test('paths: pytest rootdir, absolute working directory, files outside the repository', () => {
    const paths = { repoRoot, workingDirectory: `${repoRoot}/pkg/sub` };
    expect(repoRelative('tests/t.py', paths)).toBe('pkg/sub/tests/t.py');
    // pytest found its rootdir (a pytest.ini) one level up from the working directory.
    expect(repoRelative('sub/tests/t.py', { ...paths, pytestRootdir: `${repoRoot}/pkg` })).toBe(
      'pkg/sub/tests/t.py',
    );
    expect(repoRelative('tests/t.py', { ...paths, pytestRootdir: '..' })).toBe('pkg/tests/t.py');
    expect(repoRelative('../../../outside.py', paths)).toBeUndefined();
    expect(repoRelative('/usr/lib/python3/x.py', paths)).toBeUndefined();
    expect(repoRelative('..hidden/t.py', { repoRoot, workingDirectory: '.' })).toBe(
      '..hidden/t.py',
    );
    const outside = buildAnnotations(
      { ...result(1), failures: [{ ...failures(1)[0], file: '/usr/lib/x.py' }] },
      paths,
    );
    expect(outside.annotations[0].file).toBeUndefined();
    expect(outside.annotations[0].line).toBeUndefined();
  });
});

test('emitAnnotations hands each annotation and the overflow notice to @actions/core', async () => {
  // The fixture records the calls; the workflow-command lines they become (escaping included)
  // are checked through the real bundle in __tests__/e2e/pipeline.test.ts.
  const core = await mockActionsCore();
  // A fresh copy of the module, bound to the mocked @actions/core (the one above is not).
  let annotations!: typeof import('../../src/report/annotations.js');
  await jest.isolateModulesAsync(async () => {
    annotations = await import('../../src/report/annotations.js');
  });
  const { buildAnnotations, emitAnnotations } = annotations;
  const failure: TestFailure = {
    id: 't.py::test_a',
    kind: 'failure',
    file: 'tests/t.py',
    line: 7,
    message: 'assert 1 == 2, 100%',
    details: '',
  };
  const many: TestResult = {
    ...result(0),
    tests: 12,
    failed: 12,
    failures: Array(12).fill(failure),
  };
  emitAnnotations(buildAnnotations(many, { repoRoot: '/repo', workingDirectory: 'app' }));
  expect(core.errors).toHaveLength(10);
  expect(core.errors[0]).toEqual({
    message: 'assert 1 == 2, 100%',
    properties: { title: 'Failed: t.py::test_a', file: 'app/tests/t.py', startLine: 7 },
  });
  expect(core.notices.map((n) => n.message)).toEqual([
    '2 more failures not annotated; see the job summary.',
  ]);
});
