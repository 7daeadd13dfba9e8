/**
 * tools/harness.ts itself: action.yml defaults read as YAML, a timeout reported as a timeout, and
 * the temp folders of each run removed. The bundles here are tiny scripts, not dist/.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  actionInputDefaults,
  makeTempDir,
  removeTempFolders,
  repoRoot,
  runAction,
} from '../../tools/harness.js';
import { expectCleanFailure } from '../support/assertions.js';

const scratch = makeTempDir('pyci-harness-test-');

/** A script standing in for the bundle. */
function entry(name: string, code: string): string {
  const path = join(scratch, `${name}.mjs`);
  writeFileSync(path, code);
  return path;
}

describe('actionInputDefaults', () => {
  it('reads the inputs of our action.yml; an expression default is empty', () => {
    const defaults = actionInputDefaults(join(repoRoot, 'action.yml'));
    expect(defaults).toMatchObject({ 'python-version': '', 'venv-path': '.venv', token: '' });
    expect(defaults['python-source']).toBe('tool-cache, manifest, system');
  });

  it('reads any YAML layout, keeping each default as written', () => {
    const yml = join(scratch, 'action.yml');
    writeFileSync(
      yml,
      [
        'name: t # a comment',
        'inputs:',
        '    quoted:   # four-space indent',
        "        default: 'main' # trailing comment",
        '    number: { description: flow style, default: 1.10 }',
        '    block:',
        '        default: |',
        '            line one',
        '            line two',
        '    escaped:',
        '        default: "tab\\there"',
        '    none:',
        '        description: no default',
        '    empty:',
        '        default:',
        '    token:',
        '        default: ${{ github.token }}',
        'runs: { using: node24, main: index.js }',
        '',
      ].join('\n'),
    );
    expect(actionInputDefaults(yml)).toEqual({
      quoted: 'main',
      number: '1.10',
      block: 'line one\nline two\n',
      escaped: 'tab\there',
      none: '',
      empty: '',
      token: '',
    });
  });
});

describe('a run that outlives timeoutMs', () => {
  const hang = () => entry('hang', "console.log('started'); setInterval(() => {}, 1000);\n");

  it('is stopped and reported as timed out, not as a failure', async () => {
    const result = await runAction({ entry: hang(), timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(128 + 15); // SIGTERM
    expect(result.stdout).toContain('started');
    expect(() => expectCleanFailure(result)).toThrow(/the run timed out/);
  });

  it('is reported the same way when measured (spawn path)', async () => {
    const result = await runAction({ entry: hang(), timeoutMs: 300, measureMemory: true });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(128 + 15);
  });

  it('while a run that fails in time is a plain failure', async () => {
    const result = await runAction({
      entry: entry('fail', "console.log('::error::bad input'); process.exit(1);\n"),
    });
    expect(result.timedOut).toBe(false);
    expectCleanFailure(result);
  });
});

describe('temp folders', () => {
  it('of a run are removed by removeTempFolders; a workspace passed in is kept', async () => {
    const probe = entry(
      'probe',
      'import { writeFileSync } from "node:fs";\n' +
        'writeFileSync(process.env.GITHUB_STEP_SUMMARY, "summary");\n' +
        'writeFileSync(process.env.RUNNER_TEMP + "/junit.xml", "<testsuites/>");\n',
    );
    const own = await runAction({ entry: probe });
    const workspace = mkdtempSync(join(tmpdir(), 'pyci-harness-ws-'));
    const passed = await runAction({ entry: probe, workspace });
    // Results stay readable until then.
    for (const result of [own, passed]) {
      expect(result.summary).toBe('summary');
      expect(existsSync(join(result.runnerTemp, 'junit.xml'))).toBe(true);
    }
    removeTempFolders();
    for (const path of [own.runnerTemp, own.summaryPath, own.workspace, passed.runnerTemp])
      expect(existsSync(path)).toBe(false);
    expect(existsSync(workspace)).toBe(true);
    rmSync(workspace, { recursive: true });
    expect(existsSync(scratch)).toBe(false); // makeTempDir's folders go too
  });
});
