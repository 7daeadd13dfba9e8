/**
 * Flaky tests in a merged report: reruns (pytest/reruns.ts) merge their reports into one, each
 * test that passed on a rerun carrying the property `pyci-rerun`. The reader finds those ids
 * (report-only mode reads shards' merged reports), while its counts stay pytest's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJUnitReports } from '../../src/pytest/junit.js';

const plugin = resolve(import.meta.dirname, '../../src/pytest/pyci_pytest_plugin.py');
const python = process.env.PYTHON ?? 'python3';

let dir: string;
let fileNo = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'junit-flaky-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xmlFile(content: string): string {
  const path = join(dir, `report-${fileNo++}.xml`);
  writeFileSync(path, content);
  return path;
}

/** A pytest (xunit1) report holding `cases`. */
const report = (cases: string) =>
  `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" time="1">${cases}</testsuite></testsuites>`;
const pass = (name: string, file = 'tests/test_m.py') =>
  `<testcase classname="${file.replace(/\.py$/, '').replace(/\//g, '.')}" name="${name}" file="${file}" line="3" time="0.010"/>`;
const fail = (name: string, file = 'tests/test_m.py') =>
  `<testcase classname="${file.replace(/\.py$/, '').replace(/\//g, '.')}" name="${name}" file="${file}" line="3" time="0.010"><failure message="assert False">tests/test_m.py:4: AssertionError</failure></testcase>`;
/** A case as the merge writes it: its passing run, marked with the round. */
const marked = (name: string, round: number, file = 'tests/test_m.py', extra = '') =>
  `<testcase classname="${file.replace(/\.py$/, '').replace(/\//g, '.')}" name="${name}" file="${file}" line="3" time="0.010">${extra}<properties><property name="pyci-rerun" value="${round}" /></properties></testcase>`;

/** The merge of pyci_pytest_plugin.py, run for real on `first` and the `reruns` reports. */
function merge(first: string, reruns: string[]): string {
  const out = join(dir, `merged-${fileNo++}.xml`);
  const run = spawnSync(python, [plugin, 'merge', out, first, ...reruns], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`merge failed: ${run.stderr}`);
  return out;
}

describe('flaky tests in merged reports', () => {
  test('the real merge: flaky ids found in every rerun round, counts stay pytest’s', async () => {
    const first = xmlFile(
      report(pass('test_ok') + fail('test_once') + fail('test_twice') + fail('test_always')),
    );
    const round1 = xmlFile(report(pass('test_once') + fail('test_twice') + fail('test_always')));
    const round2 = xmlFile(report(pass('test_twice') + fail('test_always')));
    const merged = merge(first, [round1, round2]);

    const result = await readJUnitReports([merged]);
    // pytest's line after the reruns: 3 passed (one of them on the first rerun, one on the
    // second), 1 failed every time.
    expect(result).toMatchObject({ tests: 4, passed: 3, failed: 1, errors: 0, skipped: 0 });
    expect(result.flaky).toEqual({
      ids: ['tests/test_m.py::test_once', 'tests/test_m.py::test_twice'],
      omitted: 0,
    });
    expect(result.failures.map((f) => f.id)).toEqual(['tests/test_m.py::test_always']);
    // The fast path (off here) finds the same: marked cases are never skimmed.
    expect(await readJUnitReports([merged], { fastPath: false })).toEqual(result);
  });

  test('a report without marks has no flaky field; other properties are no marks', async () => {
    const plain = xmlFile(report(pass('test_a') + fail('test_b')));
    expect((await readJUnitReports([plain])).flaky).toBeUndefined();
    const recorded = xmlFile(
      report(
        // record_property("pyci", 1), a pyci-rerun name that is not a property's, and a
        // <property> that is not inside <properties>: none of them is our mark.
        '<testcase classname="tests.test_m" name="test_p" file="tests/test_m.py" time="0.1"><properties><property name="pyci" value="1"/></properties></testcase>' +
          '<testcase classname="tests.test_m" name="test_q" file="tests/test_m.py" time="0.1"><system-out>pyci-rerun</system-out></testcase>' +
          '<testcase classname="tests.test_m" name="test_r" file="tests/test_m.py" time="0.1"><property name="pyci-rerun" value="1"/></testcase>',
      ),
    );
    const result = await readJUnitReports([recorded]);
    expect(result.passed).toBe(3);
    expect(result.flaky).toBeUndefined();
  });

  test('a marked case that failed anyway is a failure, not flaky; a skipped one is flaky', async () => {
    const path = xmlFile(
      report(
        marked('test_failed', 1, 'tests/test_m.py', '<failure message="no">boom</failure>') +
          marked('test_skipped', 1, 'tests/test_m.py', '<skipped message="later"/>'),
      ),
    );
    const result = await readJUnitReports([path]);
    expect(result).toMatchObject({ failed: 1, skipped: 1, passed: 0 });
    // As reruns.ts judges a full run: a rerun without failure or error made the test flaky.
    expect(result.flaky).toEqual({ ids: ['tests/test_m.py::test_skipped'], omitted: 0 });
  });

  test('shards and matrix legs merge: ids are distinct, bounded, the rest counted', async () => {
    const shard1 = xmlFile(report(pass('test_a') + marked('test_f1', 1) + marked('test_f2', 2)));
    const shard2 = xmlFile(
      report(marked('test_f3', 1, 'tests/test_n.py') + marked('test_f4', 1, 'tests/test_n.py')),
    );
    // The same test flaky on another Python: one flaky test, as a full run would name it once.
    const otherLeg = xmlFile(report(marked('test_f1', 1)));

    const all = await readJUnitReports([shard1, shard2, otherLeg]);
    expect(all.passed).toBe(6);
    expect(all.flaky).toEqual({
      ids: [
        'tests/test_m.py::test_f1',
        'tests/test_m.py::test_f2',
        'tests/test_n.py::test_f3',
        'tests/test_n.py::test_f4',
      ],
      omitted: 0,
    });

    const bounded = await readJUnitReports([shard1, shard2, otherLeg], { maxFlaky: 2 });
    expect(bounded.flaky).toEqual({
      ids: ['tests/test_m.py::test_f1', 'tests/test_m.py::test_f2'],
      omitted: 2,
    });
  });
});
