import {
  judgePytestExit,
  lastExceptionLine,
  noReportMessage,
  pytestArgv,
  pytestErrorLines,
  terminalCounts,
} from '../../src/pytest/pytest.js';

describe('pytestArgv', () => {
  it('asks for an xunit1 JUnit report (it carries file and line) before the user arguments', () => {
    expect(pytestArgv('/t/j.xml', ['-x', 'tests'])).toEqual([
      '-m',
      'pytest',
      '-o',
      'junit_family=xunit1',
      '--junitxml=/t/j.xml',
      '-x',
      'tests',
    ]);
  });
});

describe('judgePytestExit', () => {
  it('passes on 0 and fails on 1 with a report', () => {
    expect(judgePytestExit(0, '', false)).toEqual({ ok: true, hasReport: true });
    expect(judgePytestExit(1, '', false)).toMatchObject({ ok: false, hasReport: true });
  });

  it('shows pytest own message on a usage error', () => {
    const verdict = judgePytestExit(
      4,
      'ERROR: usage: pytest [options]\npytest: error: unrecognized arguments: --bogus\n',
      false,
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.hasReport).toBe(false);
    expect(verdict.message).toContain('check pytest-args');
    expect(verdict.message).toContain('unrecognized arguments: --bogus');
  });

  it('names the signal that killed pytest', () => {
    const killed = judgePytestExit(137, '', false, 'SIGKILL');
    expect(killed).toMatchObject({ ok: false, hasReport: false });
    expect(killed.message).toMatch(
      /^pytest was killed by signal SIGKILL \(status 137\), e\.g\. by the kernel when the machine ran out of memory/,
    );
    expect(judgePytestExit(139, '', false, 'SIGSEGV').message).toMatch(/signal SIGSEGV .*crashed/);
  });

  it('fails on no tests collected unless allowed', () => {
    expect(judgePytestExit(5, '', false)).toMatchObject({
      ok: false,
      message: expect.stringContaining('allow-no-tests'),
    });
    expect(judgePytestExit(5, '', true)).toMatchObject({ ok: true });
  });

  it.each([2, 3, 137])('fails with a message on exit %i', (code) => {
    const verdict = judgePytestExit(code, 'INTERNALERROR> boom', false);
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(new RegExp(`${code}`));
  });
});

describe('terminalCounts', () => {
  it("reads pytest's closing line, counting xfailed as skipped and xpassed as passed", () => {
    const output = [
      'FAILED tests/test_a.py::test_x - assert 1 == 2',
      '===== 2 failed, 7 passed, 1 skipped, 2 xfailed, 1 xpassed, 3 errors in 1.25s =====',
    ].join('\n');
    expect(terminalCounts(output)).toMatchObject({
      tests: 16,
      passed: 8,
      failed: 2,
      errors: 3,
      skipped: 3,
      durationSeconds: 1.25,
      failuresOmitted: 5,
    });
  });

  it('reads the single-error form and a duration with minutes', () => {
    expect(terminalCounts('== 1 passed, 1 error in 61.20s (0:01:01) ==')).toMatchObject({
      tests: 2,
      passed: 1,
      errors: 1,
    });
  });

  it('is undefined without a closing line', () => {
    expect(terminalCounts('INTERNALERROR> boom')).toBeUndefined();
  });
});

describe('pytestErrorLines', () => {
  it("keeps argparse's reason under both program names", () => {
    const output = [
      'ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]',
      '__main__.py: error: unrecognized arguments: --nope',
      '  inifile: None',
    ].join('\n');
    expect(pytestErrorLines(output)).toBe(
      ' pytest said: ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...] | __main__.py: error: unrecognized arguments: --nope',
    );
    expect(pytestErrorLines('pytest: error: bad')).toBe(' pytest said: pytest: error: bad');
    expect(pytestErrorLines('python -m pytest: error: unrecognized arguments: -Z')).toBe(
      ' pytest said: python -m pytest: error: unrecognized arguments: -Z',
    );
    expect(pytestErrorLines('all good')).toBe('');
  });
});

describe('a run that left no report', () => {
  const pluggyTail = [
    '  File ".venv/lib/python3.11/site-packages/coverage/control.py", line 495, in _warn',
    '    warnings.warn(msg, category=CoverageWarning, stacklevel=2)',
    'coverage.exceptions.CoverageWarning: --include is ignored because --source is set (include-ignored)',
    '',
  ].join('\n');

  it('finds the exception a traceback ends in', () => {
    expect(lastExceptionLine(pluggyTail)).toBe(
      'coverage.exceptions.CoverageWarning: --include is ignored because --source is set (include-ignored)',
    );
    expect(lastExceptionLine('== 3 passed in 0.1s ==\n')).toBeUndefined();
  });

  it('says pytest stopped while starting and quotes it', () => {
    expect(noReportMessage(1, pluggyTail)).toBe(
      'pytest exited with 1 before writing its JUnit report: it stopped while starting, before running any test (a plugin, a conftest.py or the configuration failed; see the log above). pytest said: coverage.exceptions.CoverageWarning: --include is ignored because --source is set (include-ignored)',
    );
  });
});
