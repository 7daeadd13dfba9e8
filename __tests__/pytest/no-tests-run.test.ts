/** noTestsRun: pytest exiting 0 with an empty report, for a full run and for a shard. */
import type { PytestVerdict } from '../../src/pytest/pytest.js';
import type { TestResult } from '../../src/pytest/result.js';
import { noTestsRun } from '../../src/pytest/stage.js';

const result = (tests: number): TestResult => ({
  tests,
  passed: tests,
  failed: 0,
  errors: 0,
  skipped: 0,
  durationSeconds: 0,
  failures: [],
  failuresOmitted: 0,
  slowest: [],
});
const passed: PytestVerdict = { ok: true, hasReport: true };
const shard = { index: 1, total: 2 };

describe('noTestsRun', () => {
  it('keeps the verdict when tests ran or the run already failed', () => {
    expect(noTestsRun(passed, result(3), { allowNoTests: false }, undefined)).toBe(passed);
    const failed: PytestVerdict = { ok: false, hasReport: true, message: 'Some tests failed.' };
    expect(noTestsRun(failed, result(0), { allowNoTests: false }, undefined)).toBe(failed);
  });

  it('fails a full run that ran nothing unless allow-no-tests', () => {
    const verdict = noTestsRun(passed, result(0), { allowNoTests: false }, undefined);
    expect(verdict).toMatchObject({ ok: false, hasReport: true });
    expect(verdict.message).toMatch(/^pytest ran no tests .*allow-no-tests: true$/);
    expect(noTestsRun(passed, result(0), { allowNoTests: true }, undefined)).toBe(passed);
  });

  it('always fails a shard that was given tests and ran none', () => {
    const verdict = noTestsRun(passed, result(0), { allowNoTests: true, shard }, ['t.py::a']);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(/^Shard 1\/2 was given 1 tests but pytest ran none/);
  });
});
