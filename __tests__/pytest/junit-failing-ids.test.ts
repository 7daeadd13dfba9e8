/**
 * The reader lists the ids of every failing test case, not only the 50 it keeps with details:
 * distinct across files, bounded (the rest counted), and never a passing case's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJUnitReports } from '../../src/pytest/junit.js';

let dir: string;
let fileNo = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'junit-failing-ids-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const attrs = (name: string) =>
  `classname="tests.test_m" name="${name}" file="tests/test_m.py" line="3" time="0.01"`;
const pass = (name: string) => `<testcase ${attrs(name)}/>`;
const fail = (name: string) =>
  `<testcase ${attrs(name)}><failure message="assert">tests/test_m.py:4: AssertionError</failure></testcase>`;
const error = (name: string) =>
  `<testcase ${attrs(name)}><error message="failed on setup">fixture</error></testcase>`;

function report(cases: string[]): string {
  const path = join(dir, `report-${fileNo++}.xml`);
  writeFileSync(
    path,
    `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">${cases.join('')}</testsuite></testsuites>`,
  );
  return path;
}

const names = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const id = (name: string) => `tests/test_m.py::${name}`;

test('120 failures and errors: 50 kept with details, all 120 ids listed, no passing one', async () => {
  const failing = names('test_f', 100);
  const erroring = names('test_e', 20);
  const path = report([
    ...names('test_ok', 300).map(pass),
    ...failing.map(fail),
    ...erroring.map(error),
  ]);
  const result = await readJUnitReports([path]);
  expect(result).toMatchObject({ failed: 100, errors: 20, passed: 300 });
  expect(result.failures).toHaveLength(50);
  expect(result.failuresOmitted).toBe(70);
  expect(result.failing).toEqual({ ids: [...failing, ...erroring].map(id), omitted: 0 });
});

test('an id failing in several files (a matrix) is listed once; past the bound, counted', async () => {
  const first = report(names('test_f', 4).map(fail));
  const second = report([...names('test_f', 4), 'test_g0', 'test_g1'].map(fail));
  const result = await readJUnitReports([first, second], { maxFailingIds: 5 });
  expect(result.failing).toEqual({
    ids: [...names('test_f', 4), 'test_g0'].map(id),
    omitted: 1,
  });
});

test('a clean report lists no failing id', async () => {
  const result = await readJUnitReports([report(names('test_ok', 3).map(pass))]);
  expect(result.failing).toEqual({ ids: [], omitted: 0 });
});
