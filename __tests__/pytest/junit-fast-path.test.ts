/**
 * The reader's fast path (passing pytest test cases read by a regular expression) must give
 * exactly what saxes alone gives, on any document and any chunking: fast-check generates
 * JUnit documents with awkward values, comments and CDATA holding fake test cases, other tools'
 * attribute orders, and reads each with tiny chunks, fast path on and off.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { JUnitParseError, readJUnitReports } from '../../src/pytest/junit.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'junit-fast-path-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const value = fc.stringMatching(/^[a-zA-Z0-9_.:/ [\]&<>"'\tüé€😀-]{0,12}$/u);
const ws = fc.constantFrom(' ', '  ', '\n', '\t', '\r\n ');
const testcase = fc
  .record({
    classname: value,
    name: value,
    file: fc.option(value, { nil: undefined }),
    line: fc.option(fc.nat(500).map(String), { nil: undefined }),
    time: fc.oneof(
      fc.double({ min: 0, max: 10, noNaN: true }).map((t) => t.toFixed(3)),
      value,
    ),
    kind: fc.constantFrom('pass', 'pass', 'pass', 'fail', 'error', 'skip'),
    sep: ws,
    reversed: fc.boolean(), // another tool's attribute order
    body: value,
  })
  .map((c) => {
    const attrs: [string, string | undefined][] = [
      ['classname', c.classname],
      ['name', c.name],
      ['file', c.file],
      ['line', c.line],
      ['time', c.time],
    ];
    if (c.reversed) attrs.reverse();
    const text = attrs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${c.sep}${k}="${escape(v!)}"`)
      .join('');
    if (c.kind === 'pass') return `<testcase${text}${c.sep}/>`;
    const child =
      c.kind === 'skip'
        ? `<skipped message="${escape(c.body)}"/>`
        : `<${c.kind === 'fail' ? 'failure' : 'error'} message="${escape(c.body)}">${escape(c.body)}</${c.kind === 'fail' ? 'failure' : 'error'}>`;
    return `<testcase${text}>${child}</testcase>`;
  });
const noise = fc.constantFrom(
  '\n',
  '<!-- <testcase classname="fake" name="in comment" time="1"/> -->',
  '<![CDATA[ <testcase classname="fake" name="in cdata" time="1"/> ]]>',
  '<?pi <testcase classname="fake" name="in pi" time="1"/> ?>',
  '<properties><property name="a" value="b"/></properties>',
  // A test that passed on a rerun, as the rerun merge marks it (counted as flaky).
  '<testcase classname="t.m" name="rerun" file="t/m.py" line="1" time="0.1"><properties><property name="pyci-rerun" value="1"/></properties></testcase>',
);
const document = fc
  .tuple(
    fc.array(fc.oneof({ weight: 4, arbitrary: testcase }, { weight: 1, arbitrary: noise }), {
      maxLength: 25,
    }),
    fc.boolean(),
  )
  .map(
    ([items, nested]) =>
      `<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="pytest tests">${nested ? '<testsuite name="outer">' : ''}<testsuite name="pytest" time="1.5">${items.join('')}</testsuite>${nested ? '</testsuite>' : ''}</testsuites>\n`,
  );

/** Reads `xml` from `path` (one path per document: failures name the file they came from). */
async function read(path: string, xml: string, fastPath: boolean, chunkBytes?: number) {
  writeFileSync(path, xml);
  const seen: [string, number][] = [];
  try {
    const result = await readJUnitReports([path], {
      fastPath,
      chunkBytes,
      maxFailures: 5,
      slowest: 3,
      onTestCase: (id, s) => seen.push([id, s]),
    });
    return { result, seen };
  } catch (error) {
    return { error: (error as JUnitParseError).reason };
  }
}

test('same result with and without the fast path, for any chunking', async () => {
  await fc.assert(
    fc.asyncProperty(document, fc.integer({ min: 1, max: 64 }), async (xml, chunk) => {
      const path = join(dir, `doc-${n++}.xml`);
      const slow = await read(path, xml, false);
      expect(slow.error).toBeUndefined();
      expect(await read(path, xml, true, chunk)).toEqual(slow);
      expect(await read(path, xml, true)).toEqual(slow);
    }),
    { numRuns: 150 },
  );
});

test('a document cut anywhere is rejected with the fast path too', async () => {
  await fc.assert(
    fc.asyncProperty(document, fc.double({ min: 0, max: 1, noNaN: true }), async (xml, at) => {
      const cut = xml.trimEnd().slice(0, Math.floor(at * (xml.trimEnd().length - 1)));
      const fast = await read(join(dir, `doc-${n++}.xml`), cut, true, 16);
      expect(fast.error).toBeDefined();
      expect(fast.error).toBe((await read(join(dir, `doc-${n++}.xml`), cut, false)).error);
    }),
    { numRuns: 100 },
  );
});

test('values saxes would reject are left to saxes, which rejects them', async () => {
  const xml = `<testsuites><testsuite><testcase classname="a" name="b\u0001" time="1"/></testsuite></testsuites>`;
  expect((await read(join(dir, `doc-${n++}.xml`), xml, false)).error).toMatch(
    /disallowed character/,
  );
  expect((await read(join(dir, `doc-${n++}.xml`), xml, true)).error).toMatch(
    /disallowed character/,
  );
});
