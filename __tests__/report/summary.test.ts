/** The job summary: content, HTML escaping, and the 1 MiB bound. */
import { MAX_SUMMARY_BYTES, formatSeconds, renderSummary } from '../../src/report/summary.js';
import { commitThatRan, failureLinker } from '../../src/report/links.js';
import type { TestFailure, TestResult } from '../../src/pytest/result.js';

function result(overrides: Partial<TestResult> = {}): TestResult {
  return {
    tests: 10,
    passed: 10,
    failed: 0,
    errors: 0,
    skipped: 0,
    durationSeconds: 1.5,
    failures: [],
    failuresOmitted: 0,
    slowest: [],
    ...overrides,
  };
}

function failure(
  i: number,
  details = `E   assert ${i} == 0\n\ntests/t.py:${i}: AssertionError`,
): TestFailure {
  return {
    id: `tests/t.py::test_${i}[<b>&"x"]`,
    kind: i % 2 ? 'error' : 'failure',
    file: 'tests/t.py',
    line: i,
    message: `assert ${i} == 0 <script>alert(1)</script>\nsecond line`,
    details,
  };
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('renderSummary', () => {
  test('a green run: headline, counts, slowest, sources', () => {
    const md = renderSummary(
      result({ skipped: 2, passed: 8, slowest: [{ id: 'tests/t.py::test_slow', seconds: 2.25 }] }),
      { junitPaths: ['/tmp/a.xml', '/tmp/b.xml'], extraLines: ['**Deploy:** skipped'] },
    );
    expect(md).toContain('<h2>✅ pytest: 8 passed, 2 skipped in 1.50 s</h2>');
    expect(md).toMatch(/<td align="right">10<\/td><td align="right">8<\/td>/);
    expect(md).toContain('<code>tests/t.py::test_slow</code></td><td align="right">2.25 s');
    expect(md).toContain('<code>/tmp/a.xml</code>, <code>/tmp/b.xml</code>');
    expect(md.trimEnd().endsWith('**Deploy:** skipped')).toBe(true);
    expect(md).not.toContain('Failures and errors');
  });

  test('failures: id, file:line, message and an escaped traceback in <details><pre>', () => {
    const md = renderSummary(
      result({ failed: 1, errors: 1, passed: 8, failures: [failure(2), failure(3)] }),
      { title: 'Tests on 3.12' },
    );
    expect(md).toContain('<h2>❌ Tests on 3.12: 1 failed, 1 error, 8 passed in 1.50 s</h2>');
    expect(md).toContain('❌ Failed: <code>tests/t.py::test_2[&lt;b&gt;&amp;&quot;x&quot;]</code>');
    expect(md).toContain('💥 Error in <code>tests/t.py::test_3');
    expect(md).toContain(
      '<code>tests/t.py:2</code> — assert 2 == 0 &lt;script&gt;alert(1)&lt;/script&gt;',
    );
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('second line'); // only the first line of the message is inline
    // `<pre>` opens its own line so blank lines inside the traceback survive GitHub's markdown.
    expect(md).toContain(
      '<details><summary>Traceback</summary>\n\n<pre>\nE   assert 2 == 0\n\ntests/t.py:2: AssertionError\n</pre>\n\n</details>',
    );
  });

  test('no tests is not a success', () => {
    expect(renderSummary(result({ tests: 0, passed: 0 }))).toContain('⚠️ pytest: no tests ran');
  });

  test('says how many failures the reader did not keep', () => {
    const md = renderSummary(
      result({ failed: 60, passed: 0, tests: 60, failures: [failure(0)], failuresOmitted: 59 }),
    );
    expect(md).toContain(
      '59 more failures and errors are not listed: the report keeps the first 1.',
    );
  });

  test('a summary that would exceed 1 MiB stays under it and says what it left out', () => {
    // 50 failures of 100 KB each (5 MB of tracebacks), multi-byte and escape-heavy characters.
    const failures = Array.from({ length: 50 }, (_, i) =>
      failure(i, `${'ü<&>"'.repeat(20_000)}\ntests/t.py:${i}: AssertionError`),
    );
    const md = renderSummary(result({ failed: 50, passed: 0, tests: 50, failures }), {
      junitPaths: Array.from({ length: 100 }, (_, i) => `/tmp/shard-${i}.xml`),
      extraLines: Array.from({ length: 10_000 }, () => 'x'.repeat(100)),
    });
    expect(bytes(md)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(bytes(md)).toBeGreaterThan(MAX_SUMMARY_BYTES * 0.8); // it used the room it had
    const shown = md.match(/<h4>/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(50);
    // (Boolean checks: a failing toContain would print the whole megabyte.)
    const note = `${50 - shown} of the kept failures are left out to stay under GitHub's 1 MiB summary limit.`;
    expect(md.includes(note)).toBe(true);
    expect(/\d+ extra summary lines are left out for size/.test(md)).toBe(true);
    expect(md.includes('and 80 more.')).toBe(true);
    // Every <pre> that was opened is closed: nothing was cut mid-block.
    expect(md.match(/<pre>/g)?.length).toBe(md.match(/<\/pre>/g)?.length);
  });

  test('one huge traceback is cut to fit instead of dropped', () => {
    const huge = failure(1, `${'a'.repeat(3_000_000)}\ntests/t.py:1: AssertionError`);
    const md = renderSummary(result({ failed: 1, passed: 0, tests: 1, failures: [huge] }), {
      maxBytes: 100_000,
    });
    expect(bytes(md)).toBeLessThanOrEqual(100_000);
    expect(/… \d+ characters cut to fit the summary …/.test(md)).toBe(true);
    expect(md.includes('tests/t.py:1: AssertionError\n</pre>')).toBe(true);
  });
});

test('formatSeconds', () => {
  expect(formatSeconds(0.0123)).toBe('12 ms');
  expect(formatSeconds(12.345)).toBe('12.35 s');
  expect(formatSeconds(125)).toBe('2 min 5 s');
  expect(formatSeconds(7300)).toBe('2 h 1 min');
});

describe('summary details', () => {
  const paths = { repoRoot: '/repo', workingDirectory: 'sub/project' };
  const commit = {
    serverUrl: 'https://github.example/',
    repository: 'octo/app',
    sha: 'abc123',
  };

  test('a failure links to its line at the commit, by its repository path', () => {
    const linkFor = failureLinker(commit, paths)!;
    const md = renderSummary(result({ failed: 1, passed: 9, failures: [failure(4)] }), {
      linkFor,
    });
    expect(md).toContain(
      '<a href="https://github.example/octo/app/blob/abc123/sub/project/tests/t.py#L4"><code>tests/t.py:4</code></a>',
    );
  });

  test('no link without the runner variables, or for a file outside the repository', () => {
    expect(failureLinker({ ...commit, sha: '' }, paths)).toBeUndefined();
    const linkFor = failureLinker(commit, paths)!;
    expect(linkFor({ ...failure(2), file: '../../../elsewhere.py' })).toBeUndefined();
    expect(linkFor({ ...failure(2), file: 'tests/a b#c.py' })).toBe(
      'https://github.example/octo/app/blob/abc123/sub/project/tests/a%20b%23c.py#L2',
    );
  });

  test('behind workflow_run, failures link to the commit the tests ran, not the default branch', () => {
    const head = 'f'.repeat(40);
    const behindRun = {
      event: 'pull_request',
      headOwner: 'fork',
      headBranch: 'fix',
      headSha: head,
    };
    const ran = commitThatRan(commit, { name: 'workflow_run', behindRun });
    expect(failureLinker(ran, paths)!(failure(4))).toBe(
      `https://github.example/octo/app/blob/${head}/sub/project/tests/t.py#L4`,
    );
    // Any other event, or a head_sha that is not a commit id: GITHUB_SHA.
    expect(commitThatRan(commit, { name: 'push', behindRun }).sha).toBe('abc123');
    const odd = { ...behindRun, headSha: '../../etc' };
    expect(commitThatRan(commit, { name: 'workflow_run', behindRun: odd }).sha).toBe('abc123');
  });

  test('the slowest table only when some test took 100 ms or more', () => {
    const quick = [{ id: 'tests/t.py::test_quick', seconds: 0.099 }];
    expect(renderSummary(result({ slowest: quick }))).not.toContain('Slowest');
    const slow = [{ id: 'tests/t.py::test_slow', seconds: 0.1 }, ...quick];
    expect(renderSummary(result({ slowest: slow }))).toContain('<h3>Slowest 2 tests</h3>');
  });

  test('extra sections come after the failures', () => {
    const md = renderSummary(result({ failed: 1, failures: [failure(2)] }), {
      sections: ['<h3>Flaky tests</h3>'],
    });
    expect(md.indexOf('<h3>Flaky tests</h3>')).toBeGreaterThan(md.indexOf('Failures and errors'));
  });
});
