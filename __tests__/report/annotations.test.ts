/** Annotations: repo-relative paths, the cap of 10 and the overflow notice, and real output. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { buildAnnotations, repoRelative } from '../../src/report/annotations.js';
import type { TestFailure, TestResult } from '../../src/pytest/result.js';

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

test('emitAnnotations writes ::error and ::notice workflow commands', () => {
  // A real child process (tsx), so @actions/core writes to a real stdout: nothing is mocked.
  const script = `
    import { buildAnnotations, emitAnnotations } from './src/report/annotations.ts';
    const failure = { id: 't.py::test_a', kind: 'failure', file: 'tests/t.py', line: 7,
      message: 'assert 1 == 2, 100%', details: '' };
    const result = { tests: 12, passed: 0, failed: 12, errors: 0, skipped: 0, durationSeconds: 1,
      failures: Array(12).fill(failure), failuresOmitted: 0, slowest: [] };
    emitAnnotations(buildAnnotations(result, { repoRoot: process.cwd(), workingDirectory: 'app' }));
  `;
  const root = resolve(import.meta.dirname, '../..');
  const run = spawnSync(
    process.execPath,
    [resolve(root, 'node_modules/tsx/dist/cli.mjs'), '--input-type=module', '-e', script],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.stderr).toBe('');
  const lines = run.stdout.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
  expect(lines[0]).toBe(
    '::error title=Failed%3A t.py%3A%3Atest_a,file=app/tests/t.py,line=7::assert 1 == 2, 100%25',
  );
  expect(lines[10]).toBe('::notice::2 more failures not annotated; see the job summary.');
});
