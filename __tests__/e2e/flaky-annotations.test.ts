/**
 * The flaky-test warning follows `annotations`, as failures do: with `annotations: false` (the
 * reusable workflow's matrix jobs, whose report job annotates once) it is a plain log line, and
 * the summary still lists the flaky test. Report-only mode on a merged report: no Python needed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../tools/harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-flaky-annotations-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A merged report as reruns write it: test_once passed on rerun 1 (property pyci-rerun). */
function workspace(): string {
  const dir = mkdtempSync(join(scratch, 'ws-'));
  const attrs = (name: string) =>
    `classname="tests.test_m" name="${name}" file="tests/test_m.py" line="3" time="0.01"`;
  writeFileSync(
    join(dir, 'report.xml'),
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" time="0.1">' +
      `<testcase ${attrs('test_ok')}/>` +
      `<testcase ${attrs('test_once')}><properties><property name="pyci-rerun" value="1"/></properties></testcase>` +
      '</testsuite></testsuites>',
  );
  return dir;
}

function run(inputs: Record<string, string>) {
  return runAction({
    workspace: workspace(),
    toolCache: mkdtempSync(join(scratch, 'tc-')),
    inputs: { 'junit-files': 'report.xml', cache: 'none', ...inputs },
  });
}

const message =
  /^1 test\(s\) failed and then passed on a rerun \(flaky\): tests\/test_m\.py::test_once\./;

test('annotations: true (the default) warns once about the flaky test', async () => {
  const result = await run({});
  expect(result.exitCode).toBe(0);
  expect(result.warnings).toEqual([expect.stringMatching(message)]);
}, 60_000);

test('annotations: false writes the flaky line as plain info; the summary still lists it', async () => {
  const result = await run({ annotations: 'false' });
  expect(result.exitCode).toBe(0);
  expect(result.outputs.flaky).toBe('1');
  expect(result.warnings).toEqual([]);
  expect(result.notices).toEqual([]);
  const infoLines = result.stdout.split('\n').filter((line) => message.test(line));
  expect(infoLines).toHaveLength(1);
  expect(result.summary).toContain('<code>tests/test_m.py::test_once</code>');
}, 60_000);
