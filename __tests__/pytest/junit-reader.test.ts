/** The streaming JUnit reader on hand-written XML: what it counts, keeps, and refuses. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUnitParseError, readJUnitReports } from '../../src/pytest/junit.js';
import { pytestNodeId } from '../../src/pytest/node-id.js';
import { BoundedText, failureLineInFile } from '../../src/pytest/traceback.js';

let dir: string;
let fileNo = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'junit-reader-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xmlFile(content: string): string {
  const path = join(dir, `report-${fileNo++}.xml`);
  writeFileSync(path, content);
  return path;
}

const PYTEST_STYLE = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests">
  <testsuite name="pytest" errors="1" failures="1" skipped="2" tests="5" time="1.500">
    <testcase classname="tests.test_x.TestA" name="test_ok[1-&lt;a&gt;]" file="tests/test_x.py" line="4" time="0.250"/>
    <testcase classname="tests.test_x.TestA" name="test_bad" file="tests/test_x.py" line="9" time="0.5">
      <failure message="assert 1 == 2 &amp; more">self = &lt;obj&gt;

    def test_bad(self):
&gt;       assert 1 == 2
E       assert 1 == 2

tests/test_x.py:12: AssertionError</failure>
      <system-out>captured output is ignored</system-out>
    </testcase>
    <testcase classname="tests.test_x" name="test_setup" file="tests/test_x.py" line="20" time="0.1">
      <error message="failed on setup with &quot;RuntimeError: db down&quot;"><![CDATA[@pytest.fixture
    def db():
>       raise RuntimeError("db down")   # <not markup> & no entity
E       RuntimeError: db down

tests/conftest.py:3: RuntimeError]]></error>
    </testcase>
    <testcase classname="tests.test_x" name="test_skip" file="tests/test_x.py" line="30" time="0">
      <skipped type="pytest.skip" message="no GPU">tests/test_x.py:31: no GPU</skipped>
    </testcase>
    <testcase classname="tests.test_x" name="test_xfail" file="tests/test_x.py" line="40" time="0.01">
      <skipped type="pytest.xfail" message="known bug"/>
    </testcase>
  </testsuite>
</testsuites>
`;

describe('readJUnitReports', () => {
  test('counts outcomes, rebuilds ids, decodes entities and CDATA', async () => {
    const result = await readJUnitReports([xmlFile(PYTEST_STYLE)]);
    expect(result).toMatchObject({
      tests: 5,
      passed: 1,
      failed: 1,
      errors: 1,
      skipped: 2,
      durationSeconds: 1.5,
      failuresOmitted: 0,
    });
    expect(result.failures).toHaveLength(2);
    const [failure, error] = result.failures;
    expect(failure).toMatchObject({
      id: 'tests/test_x.py::TestA::test_bad',
      kind: 'failure',
      file: 'tests/test_x.py',
      line: 12, // the crash line from the traceback, not the def line
      message: 'assert 1 == 2 & more',
    });
    expect(failure.details).toContain('self = <obj>');
    expect(failure.details).toContain('>       assert 1 == 2');
    expect(failure.details).not.toContain('captured output');
    // The crash is in conftest.py, not in the test file: fall back to the def line (0-based + 1).
    expect(error).toMatchObject({ id: 'tests/test_x.py::test_setup', kind: 'error', line: 21 });
    expect(error.message).toBe('failed on setup with "RuntimeError: db down"');
    expect(error.details).toContain('# <not markup> & no entity');
    expect(result.slowest.map((s) => s.id)).toEqual([
      'tests/test_x.py::TestA::test_bad',
      'tests/test_x.py::TestA::test_ok[1-<a>]',
      'tests/test_x.py::test_setup',
      'tests/test_x.py::test_xfail',
      'tests/test_x.py::test_skip',
    ]);
  });

  test('merges several files (shards) and nested testsuites', async () => {
    const nested = xmlFile(`<testsuites time="2.0">
      <testsuite name="outer" time="1.9">
        <testsuite name="inner">
          <testcase classname="pkg.Mod" name="a" time="1"/>
          <testcase classname="pkg.Mod" name="b" time="0.5"><failure>boom</failure></testcase>
        </testsuite>
        <testcase classname="pkg.Other" name="c" time="0.1"/>
      </testsuite>
    </testsuites>`);
    const bare = xmlFile(`<testsuite time="3"><testcase classname="x" name="d"/></testsuite>`);
    const noTimes = xmlFile(
      `<testsuites><testsuite><testcase classname="y" name="e" time="0.25"/><testcase classname="y" name="f" time="0.5"/></testsuite></testsuites>`,
    );
    const result = await readJUnitReports([nested, bare, noTimes]);
    expect(result).toMatchObject({ tests: 6, passed: 5, failed: 1, errors: 0, skipped: 0 });
    // testsuites time, then the suite's time, then the sum of the cases' times.
    expect(result.durationSeconds).toBe(2 + 3 + 0.75);
    // Without a `file` attribute the id falls back to classname::name.
    expect(result.failures.map((f) => f.id)).toEqual(['pkg.Mod::b']);
    expect(result.failures[0].details).toBe('boom');
  });

  test('keeps a bounded number of failures and truncates long tracebacks', async () => {
    const cases = Array.from(
      { length: 30 },
      (_, i) =>
        `<testcase classname="t" name="n${i}" time="${i / 100}"><failure message="m${i}">${'x'.repeat(5000)}\nend-of-trace-${i}</failure></testcase>`,
    ).join('');
    const path = xmlFile(`<testsuite>${cases}<testcase classname="t" name="ok"/></testsuite>`);
    const result = await readJUnitReports([path], {
      maxFailures: 3,
      maxDetailChars: 400,
      slowest: 2,
    });
    expect(result).toMatchObject({ tests: 31, failed: 30, passed: 1, failuresOmitted: 27 });
    expect(result.failures.map((f) => f.message)).toEqual(['m0', 'm1', 'm2']);
    for (const f of result.failures) {
      expect(f.details.length).toBeLessThan(500);
      expect(f.details).toMatch(/characters omitted/);
      expect(f.details.endsWith(`end-of-trace-${f.message.slice(1)}`)).toBe(true);
    }
    expect(result.slowest).toEqual([
      { id: 't::n29', seconds: 0.29 },
      { id: 't::n28', seconds: 0.28 },
    ]);
  });

  test('calls onTestCase for every case with its id and duration', async () => {
    const seen: [string, number][] = [];
    await readJUnitReports([xmlFile(PYTEST_STYLE)], {
      onTestCase: (id, seconds) => seen.push([id, seconds]),
    });
    expect(seen).toEqual([
      ['tests/test_x.py::TestA::test_ok[1-<a>]', 0.25],
      ['tests/test_x.py::TestA::test_bad', 0.5],
      ['tests/test_x.py::test_setup', 0.1],
      ['tests/test_x.py::test_skip', 0],
      ['tests/test_x.py::test_xfail', 0.01],
    ]);
  });

  test('reads a file larger than one chunk, with multi-byte characters across chunk edges', async () => {
    const name = 'ü€😀'.repeat(50);
    const cases = Array.from(
      { length: 2000 },
      (_, i) => `<testcase classname="m" name="${name}${i}" time="0.001"/>`,
    ).join('\n');
    const path = xmlFile(
      `<testsuites><testsuite>${cases}<testcase classname="m" name="${name}" time="9"><failure message="${name}">${name}</failure></testcase></testsuite></testsuites>`,
    );
    const result = await readJUnitReports([path]);
    expect(result.tests).toBe(2001);
    expect(result.failures[0].message).toBe(name);
    expect(result.slowest[0]).toEqual({ id: `m::${name}`, seconds: 9 });
  });

  describe('bad files give a JUnitParseError naming the file and position', () => {
    const cases: [string, string, RegExp][] = [
      [
        'malformed',
        '<testsuite>\n<testcase name="a">\n</testsuite>',
        /line 3, column \d+.*unexpected close tag/,
      ],
      [
        'truncated',
        '<testsuites><testsuite>\n<testcase classname="a" name="b"/>\n<testca',
        /line 3.*unclosed/i,
      ],
      ['not JUnit', '<html><body/></html>', /root element is <html>/],
      ['undefined entity', '<testsuite><testcase name="&nope;"/></testsuite>', /undefined entity/],
      ['text only', 'hello', /line 1/],
    ];
    test.each(cases)('%s', async (_, content, reason) => {
      const path = xmlFile(content);
      const error = await readJUnitReports([path]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JUnitParseError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(reason);
      expect((error as JUnitParseError).line).toBeGreaterThan(0);
    });

    test('empty and whitespace-only files', async () => {
      for (const content of ['', '  \n\t']) {
        const path = xmlFile(content);
        await expect(readJUnitReports([path])).rejects.toThrow(
          new RegExp(`${path}: the file is empty`),
        );
      }
    });

    test('missing file', async () => {
      const path = join(dir, 'nope.xml');
      await expect(readJUnitReports([path])).rejects.toThrow(JUnitParseError);
      await expect(readJUnitReports([path])).rejects.toThrow(/does not exist/);
    });

    test('one bad shard fails the whole read', async () => {
      const good = xmlFile(PYTEST_STYLE);
      const bad = xmlFile(PYTEST_STYLE.slice(0, 400));
      await expect(readJUnitReports([good, bad])).rejects.toThrow(bad);
    });
  });
});

describe('readJUnitReports on hostile or inconsistent reports', () => {
  test('counts test cases, not what the suite attributes claim', async () => {
    const result = await readJUnitReports([
      xmlFile(
        '<testsuites><testsuite tests="100" failures="7" errors="3" skipped="9">' +
          '<testcase classname="a" name="t1" time="0.1"/>' +
          '<testcase classname="a" name="t2" time="0.1"><skipped/></testcase>' +
          '</testsuite></testsuites>',
      ),
    ]);
    expect(result).toMatchObject({ tests: 2, passed: 1, failed: 0, errors: 0, skipped: 1 });
  });

  test('an absurd or infinite time counts as unknown, never Infinity', async () => {
    const result = await readJUnitReports([
      xmlFile(
        '<testsuites><testsuite>' +
          '<testcase classname="a" name="t1" time="1e308"/>' +
          '<testcase classname="a" name="t2" time="1e308"/>' +
          '<testcase classname="a" name="t3" time="Infinity"/>' +
          '<testcase classname="a" name="t4" time="0.5"/>' +
          '</testsuite></testsuites>',
      ),
    ]);
    expect(result.durationSeconds).toBe(0.5);
    expect(result.slowest[0]).toEqual({ id: 'a::t4', seconds: 0.5 });
    const suiteTime = await readJUnitReports([
      xmlFile(
        '<testsuites time="1e308"><testsuite><testcase classname="a" name="t"/></testsuite></testsuites>',
      ),
    ]);
    expect(suiteTime.durationSeconds).toBe(0);
  });

  test('refuses elements nested deeper than 64 levels, saying where', async () => {
    const depth = 10_000;
    const path = xmlFile(`<testsuites>${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</testsuites>`);
    const error = await readJUnitReports([path]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JUnitParseError);
    expect((error as JUnitParseError).message).toMatch(/nested more than 64 levels deep/);
    expect((error as JUnitParseError).line).toBe(1);
    const ok = xmlFile(`<testsuites>${'<x>'.repeat(60)}${'</x>'.repeat(60)}</testsuites>`);
    await expect(readJUnitReports([ok])).resolves.toMatchObject({ tests: 0 });
  });
});

describe('pytestNodeId', () => {
  test.each([
    [
      'tests.test_x.TestA',
      'test_b[param]',
      'tests/test_x.py',
      'tests/test_x.py::TestA::test_b[param]',
    ],
    ['tests.test_x', 'test_f', 'tests/test_x.py', 'tests/test_x.py::test_f'],
    ['tests.test_x.A.B', 'test_c', 'tests/test_x.py', 'tests/test_x.py::A::B::test_c'],
    ['tests.test_x', 'test_p[a.b::c/d]', 'tests/test_x.py', 'tests/test_x.py::test_p[a.b::c/d]'],
    ['prefix.tests.test_x.T', 'test_d', 'tests/test_x.py', 'tests/test_x.py::T::test_d'],
    ['', 'tests.test_broken', 'tests/test_broken.py', 'tests/test_broken.py'],
    ['src.pkg.mod', 'pkg.mod.func', 'src/pkg/mod.py', 'src/pkg/mod.py::pkg.mod.func'],
    ['tests.test_x.T', 'test_w', 'tests\\test_x.py', 'tests/test_x.py::T::test_w'],
    ['tests.test_x.T', 'test_e', undefined, 'tests.test_x.T::test_e'],
    ['other.module', 'test_f', 'tests/test_x.py', 'other.module::test_f'],
    ['tests.test_xy', 'test_g', 'tests/test_x.py', 'tests.test_xy::test_g'],
  ])('%s + %s + %s', (classname, name, file, expected) => {
    expect(pytestNodeId(classname, name, file)).toBe(expected);
  });
});

describe('traceback helpers', () => {
  test('BoundedText keeps head and tail within the limit', () => {
    const text = new BoundedText(100);
    for (let i = 0; i < 1000; i++) text.append(`line ${i}\n`);
    const kept = text.toString();
    expect(kept.startsWith('line 0\n')).toBe(true);
    expect(kept.endsWith('line 999\n')).toBe(true);
    expect(kept).toMatch(/… \d+ characters omitted …/);
    expect(kept.length).toBeLessThan(150);
    const short = new BoundedText(100);
    short.append('abc');
    short.append('def');
    expect(short.toString()).toBe('abcdef');
  });

  test('failureLineInFile reads long, short and native traceback styles', () => {
    const long =
      'x\ntests/a.py:3: in helper\nsrc/lib.py:9: ValueError\ntests/a.py:12: AssertionError';
    expect(failureLineInFile(long, 'tests/a.py')).toBe(12);
    const native = '  File "/home/u/proj/tests/a.py", line 7, in test_x\n    assert f()';
    expect(failureLineInFile(native, 'tests/a.py')).toBe(7);
    expect(failureLineInFile('tests/ab.py:4: Error', 'tests/a.py')).toBeUndefined();
    // rootdir above the folder pytest ran in: the JUnit path is the longer one.
    expect(failureLineInFile('tests/a.py:6: AssertionError', 'svc/api/tests/a.py')).toBe(6);
    expect(failureLineInFile('b/tests/a.py:6: Error', 'svc/api/tests/a.py')).toBeUndefined();
  });
});
