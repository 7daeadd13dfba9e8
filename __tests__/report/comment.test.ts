/** The pull-request comment's pure parts: when to write one, its marker and its text. */
import { commentMarker, renderComment } from '../../src/report/comment/body.js';
import { commentWanted } from '../../src/report/comment/when.js';
import { buildRunEvent } from '../../src/runner/event.js';
import type { TestResult } from '../../src/pytest/result.js';

const result: TestResult = {
  tests: 3,
  passed: 1,
  failed: 1,
  errors: 0,
  skipped: 1,
  durationSeconds: 2,
  failures: [
    {
      id: 'tests/t.py::test_<x>',
      kind: 'failure',
      file: 'tests/t.py',
      line: 9,
      message: 'assert <1> == 2\nmore',
      details: '',
    },
  ],
  failuresOmitted: 0,
  slowest: [],
};

describe('commentWanted', () => {
  test.each([
    ['auto', 'pull_request', 7, 'tok', true],
    ['auto', 'pull_request_target', 7, 'tok', false],
    ['always', 'workflow_run', 7, 'tok', true],
    ['auto', 'pull_request', undefined, 'tok', false],
    ['auto', 'pull_request', 7, '', false],
    ['off', 'pull_request', 7, 'tok', false],
  ] as const)('%s on %s (PR %s, token %j): %s', (mode, name, pullRequest, token, wanted) => {
    expect(commentWanted(mode, { name, pullRequest }, token)).toBe(wanted);
  });

  test('the pull request number comes from the payload, also behind workflow_run', () => {
    const env = { GITHUB_EVENT_NAME: 'workflow_run', GITHUB_REF: 'refs/heads/main' };
    const run = buildRunEvent(env, { workflow_run: { pull_requests: [{ number: 12 }] } });
    expect(run.pullRequest).toBe(12);
    const pr = buildRunEvent(
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/3/merge' },
      { pull_request: { number: 3 } },
    );
    expect(pr.pullRequest).toBe(3);
    expect(buildRunEvent(env, {}).pullRequest).toBeUndefined();
  });
});

describe('the comment', () => {
  test('the marker cannot end the HTML comment early', () => {
    expect(commentMarker('CI --> x', 'test')).toBe('<!-- pyci:CI - x:test -->');
  });

  test('headline counts, escaped failures with links, flaky tests, decision and run link', () => {
    const body = renderComment({
      marker: '<!-- pyci:CI:test -->',
      result,
      flaky: ['tests/t.py::test_flaky'],
      deployLine: '⏸️ **Deploy gate**: not deploying',
      runUrl: 'https://github.com/o/r/actions/runs/1',
      title: 'CI / test',
      linkFor: (f) => `https://github.com/o/r/blob/sha/${f.file}#L${f.line}`,
    });
    expect(body.startsWith('<!-- pyci:CI:test -->\n')).toBe(true);
    expect(body).toContain('### ❌ CI / test: 1 failed, 1 passed, 1 skipped, 1 flaky in 2.00 s');
    expect(body).toContain(
      '<code>tests/t.py::test_&lt;x&gt;</code> ([tests/t.py:9](https://github.com/o/r/blob/sha/tests/t.py#L9)): assert &lt;1&gt; == 2',
    );
    expect(body).toContain('- <code>tests/t.py::test_flaky</code>');
    expect(body).toContain('⏸️ **Deploy gate**: not deploying');
    expect(body).toContain('(https://github.com/o/r/actions/runs/1)');
  });

  test('flaky tests counted but not named (a bounded report) count in the headline and list', () => {
    const ids = Array.from({ length: 25 }, (_, i) => `tests/t.py::test_f${i}`);
    const body = renderComment({
      marker: '<!-- pyci:CI:test -->',
      result: { ...result, failed: 0, failures: [] },
      flaky: ids,
      flakyOmitted: 5,
      deployLine: '',
      runUrl: '',
      title: 'CI',
    });
    expect(body).toContain('1 passed, 1 skipped, 30 flaky in');
    expect(body).toContain('- <code>tests/t.py::test_f19</code>');
    expect(body).not.toContain('test_f20');
    expect(body).toContain('- and 10 more');
  });
});
