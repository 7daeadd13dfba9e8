/**
 * Issue 11 (coverage) through the real bundle: coverage with a threshold that passes and one
 * that fails (no deploy, the gate's reason), three shards combined in report-only mode in another
 * checkout path equal to one full run, and a pull request's changed lines (with history, and in a
 * shallow clone). Real Python 3.11, pip, pytest, pytest-cov and git. Expected values come from
 * coverage.py's own JSON report (JSON.parse), not from the reader under test.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction, type EventContext, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-coverage-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const toolCache = mkdtempSync(join(scratch, 'toolcache-'));
layoutToolCache(toolCache, [newestPatch('3.11')]);
/** Shared venv cache: the runs at one workspace path restore the first one's venv. */
const sharedCache = mkdtempSync(join(scratch, 'cache-'));
const workspaces = mkdtempSync(join(scratch, 'ws-'));

function workspaceFrom(name: string): string {
  const dir = join(workspaces, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, '__tests__/fixtures/projects/coverage-project'), dir, { recursive: true });
  return dir;
}

function run(
  workspace: string,
  inputs: Record<string, string>,
  event?: EventContext,
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'cache-dir': sharedCache,
      coverage: 'true',
      ...inputs,
    },
    ...(event ? { event } : {}),
  });
}

/** coverage.py's own total for a data file, one decimal rounded down, read with JSON.parse. */
function coverageOwnTotal(workspace: string, dataFile: string): string {
  const out = join(scratch, `own-${basename(dataFile)}.json`);
  execFileSync(
    join(workspace, '.venv/bin/python'),
    ['-m', 'coverage', 'json', `--data-file=${dataFile}`, '-o', out],
    { cwd: workspace, stdio: 'pipe' },
  );
  const percent = (JSON.parse(readFileSync(out, 'utf8')) as { totals: { percent_covered: number } })
    .totals.percent_covered;
  return (Math.floor(percent * 10 + 1e-9) / 10).toFixed(1);
}

let full: RunResult;
let fullWorkspace: string;

beforeAll(async () => {
  fullWorkspace = workspaceFrom('single');
  full = await run(fullWorkspace, { 'coverage-threshold': '40' });
}, 180_000);

describe('coverage with a threshold', () => {
  it('measures the installed project and passes a threshold it reaches', () => {
    expect(full.errors).toEqual([]);
    expect(full.exitCode).toBe(0);
    expect(full.outputs.coverage).toBe(
      coverageOwnTotal(fullWorkspace, full.outputs['coverage-file']),
    );
    expect(Number(full.outputs.coverage)).toBeGreaterThanOrEqual(40);
    expect(full.outputs['coverage-changed']).toBe('');
    expect(full.outputs.deploy).toBe('true');
    // The summary: the total, and the never-imported module first among the least covered,
    // shown at its path in the checkout (the project was installed into site-packages).
    expect(full.summary).toContain(`Coverage: ${full.outputs.coverage}%`);
    const table = full.summary.slice(full.summary.indexOf('Least covered'));
    expect(table.indexOf('src/calc/shapes.py')).toBeGreaterThan(0);
    expect(table.indexOf('src/calc/shapes.py')).toBeLessThan(table.indexOf('src/calc/__init__.py'));
    expect(full.summary).not.toContain('site-packages');
  });

  it('fails below the threshold, and the gate does not deploy and says why', async () => {
    const low = await run(workspaceFrom('single'), { 'coverage-threshold': '95' });
    expectCleanFailure(low);
    expect(low.errors[0]).toContain(`Coverage ${low.outputs.coverage}% is below 95%`);
    expect(low.outputs.failed).toBe('0');
    expect(low.outputs.deploy).toBe('false');
    expect(low.outputs['deploy-reason']).toBe(
      `not deploying: coverage ${low.outputs.coverage}% is below 95%`,
    );
    expect(low.summary).toContain('Below the threshold of 95%');
  }, 120_000);

  it('refuses a threshold that is not a percentage, naming the input', async () => {
    const bad = await run(workspaceFrom('bad-threshold'), { 'coverage-threshold': '120' });
    expectCleanFailure(bad);
    expect(bad.errors[0]).toMatch(/^coverage-threshold "120" is not a percentage from 0 to 100/);
    expect(bad.outputs.deploy).toBe('false');
  }, 60_000);
});

describe('shards combined in report-only mode', () => {
  /** The shards' artifacts: data file and JUnit in downloads/shardN, coverage.xml in xml/shardN. */
  const downloads = join(scratch, 'downloads');
  const xmlDownloads = join(scratch, 'xml');

  beforeAll(async () => {
    const shardWorkspace = workspaceFrom('shards');
    for (const index of [1, 2, 3]) {
      const shard = await run(shardWorkspace, {
        shard: `${index}/3`,
        'coverage-threshold': '95',
      });
      // A shard measures part of the suite: the threshold waits for the combined report.
      expect({ index, errors: shard.errors, exit: shard.exitCode }).toEqual({
        index,
        errors: [],
        exit: 0,
      });
      expect(basename(shard.outputs['coverage-file'])).toMatch(
        new RegExp(`^\\.coverage\\.${index}of3\\.[0-9a-f]{8}$`),
      );
      const dir = join(downloads, `shard${index}`);
      mkdirSync(dir, { recursive: true });
      copyFileSync(
        shard.outputs['coverage-file'],
        join(dir, basename(shard.outputs['coverage-file'])),
      );
      copyFileSync(shard.outputs['junit-path'], join(dir, 'junit.xml'));
      // What pytest-cov's --cov-report=xml writes at the end of the shard's run.
      mkdirSync(join(xmlDownloads, `shard${index}`), { recursive: true });
      execFileSync(
        join(shardWorkspace, '.venv/bin/python'),
        [
          '-m',
          'coverage',
          'xml',
          `--data-file=${shard.outputs['coverage-file']}`,
          '-o',
          join(xmlDownloads, `shard${index}`, 'coverage.xml'),
        ],
        { cwd: shardWorkspace, stdio: 'pipe' },
      );
    }
  }, 300_000);

  /** The report job: a fresh checkout at another path, no venv, the artifacts downloaded. */
  function reportJob(
    name: string,
    coverageFiles: string,
    threshold: string,
    extra: (workspace: string) => void = () => {},
  ): Promise<RunResult> {
    const workspace = workspaceFrom(name);
    cpSync(downloads, join(workspace, 'artifacts'), { recursive: true });
    cpSync(xmlDownloads, join(workspace, 'cov'), { recursive: true });
    extra(workspace);
    return runAction({
      workspace,
      toolCache,
      inputs: {
        'python-version': '3.11',
        'python-source': 'tool-cache',
        cache: 'none',
        'junit-files': 'artifacts/**/*.xml',
        'coverage-files': coverageFiles,
        'coverage-threshold': threshold,
      },
    });
  }

  it('three shards combined in another checkout path give the full run total', async () => {
    const combined = await reportJob('report', 'artifacts/**/.coverage.*', '40');
    expect(combined.errors).toEqual([]);
    expect(combined.outputs.tests).toBe('3');
    expect(combined.outputs.coverage).toBe(full.outputs.coverage);
    expect(combined.summary).toContain('src/calc/shapes.py');

    // The threshold applies once, to the combined total.
    const failing = await reportJob('report-strict', 'artifacts/**/.coverage.*', '95');
    expectCleanFailure(failing);
    expect(failing.outputs['deploy-reason']).toBe(
      `not deploying: coverage ${full.outputs.coverage}% is below 95%`,
    );
  }, 300_000);

  it("three shards' coverage.xml give the full run total, with no Python set up", async () => {
    const combined = await reportJob('report-xml', 'cov/**/coverage.xml', '40');
    expect(combined.errors).toEqual([]);
    expect(combined.exitCode).toBe(0);
    expect(combined.outputs.coverage).toBe(full.outputs.coverage);
    expect(combined.outputs.deploy).toBe('true');
    expect(combined.outputs['coverage-file']).toBe('');
    expect(combined.stdout).toContain('coverage: merging 3 Cobertura XML report(s).');
    expect(readdirSync(combined.runnerTemp).filter((n) => n.includes('venv'))).toEqual([]);
    // The least covered at their checkout paths (the shards ran an installed copy).
    const table = combined.summary.slice(combined.summary.indexOf('Least covered'));
    expect(table.indexOf('src/calc/shapes.py')).toBeGreaterThan(0);
    expect(combined.summary).not.toContain('site-packages');
    // One shard's report alone covers less: the total is the reports' union.
    const one = await reportJob('report-xml-one', 'cov/shard1/coverage.xml', '');
    expect(one.errors).toEqual([]);
    expect(Number(one.outputs.coverage)).toBeLessThan(Number(full.outputs.coverage));

    const failing = await reportJob('report-xml-strict', 'cov/**/coverage.xml', '95');
    expectCleanFailure(failing);
    expect(failing.errors[0]).toContain(`Coverage ${full.outputs.coverage}% is below 95%`);
    expect(failing.outputs['deploy-reason']).toBe(
      `not deploying: coverage ${full.outputs.coverage}% is below 95%`,
    );
  }, 120_000);

  it('merges data files and coverage.xml reports together', async () => {
    // Shards 1 and 2 as XML, shard 3 as its data file.
    const mixed = await reportJob(
      'report-mixed',
      'cov/shard1/coverage.xml\ncov/shard2/coverage.xml\nartifacts/shard3/.coverage.*',
      '40',
    );
    expect(mixed.errors).toEqual([]);
    expect(mixed.outputs.coverage).toBe(full.outputs.coverage);
    expect(mixed.stdout).toContain('coverage: merging 3 Cobertura XML report(s).');
  }, 180_000);

  it.each([
    [
      'an HTML page',
      'cov/index.html',
      '<!DOCTYPE html>\n<html><body>coverage</body></html>\n',
      /is neither a coverage\.py data file nor a Cobertura XML report/,
    ],
    [
      'a truncated coverage.xml',
      'cov/cut.xml',
      null,
      /cannot read the Cobertura XML report \S+cut\.xml: the XML ends before it is complete/,
    ],
  ])(
    'refuses %s in coverage-files with one error naming it',
    async (_, name, text, reason) => {
      const bad = await reportJob('report-bad', `cov/**/coverage.xml\n${name}`, '', (ws) => {
        const whole = readFileSync(join(ws, 'cov/shard1/coverage.xml'), 'utf8');
        writeFileSync(join(ws, name), text ?? whole.slice(0, Math.floor(whole.length / 2)));
      });
      expectCleanFailure(bad);
      expect(bad.errors[0]).toMatch(/^coverage-files: /);
      expect(bad.errors[0]).toContain(name);
      expect(bad.errors[0]).toMatch(reason);
    },
    60_000,
  );
  it('refuses Cobertura reports that measure no line (coverage.py would say "No data to report")', async () => {
    // Without this, an empty report read as 100% and passed any threshold.
    const empty = await reportJob('report-empty', 'cov/empty.xml', '40', (ws) =>
      writeFileSync(
        join(ws, 'cov/empty.xml'),
        '<?xml version="1.0" ?>\n<coverage line-rate="1" branch-rate="0" version="7.6"><sources><source>/x</source></sources><packages/></coverage>\n',
      ),
    );
    expectCleanFailure(empty);
    expect(empty.errors[0]).toMatch(
      /^coverage-files: the Cobertura XML report\(s\) measure no lines \(no <class> with <line>s\)/,
    );
  }, 60_000);
});

describe('changed lines of a pull request', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  const prEvent: EventContext = {
    name: 'pull_request',
    ref: 'refs/pull/7/merge',
    refType: 'branch',
    refName: '7/merge',
    headRef: 'feature',
    baseRef: 'main',
    payload: { pull_request: { number: 7, head: { repo: { fork: false } } } },
  };

  /** A repository: main holds the fixture, feature adds `neg` (its def runs at import, its body not). */
  function pullRequestRepo(name: string): string {
    const dir = workspaceFrom(name);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    git(dir, 'checkout', '-q', '-b', 'feature');
    const init = join(dir, 'src/calc/__init__.py');
    writeFileSync(init, `${readFileSync(init, 'utf8')}\n\ndef neg(a):\n    return -a\n`);
    git(dir, 'commit', '-q', '-am', 'add neg');
    return dir;
  }

  it('measures the changed lines and annotates the uncovered ones', async () => {
    const dir = pullRequestRepo('pr');
    // As actions/checkout leaves it with history: the base branch as a remote-tracking ref.
    git(dir, 'update-ref', 'refs/remotes/origin/main', 'main');
    const lines = readFileSync(join(dir, 'src/calc/__init__.py'), 'utf8').split('\n');
    const returnLine = lines.indexOf('    return -a') + 1;
    const result = await run(dir, {}, prEvent);
    expect(result.errors).toEqual([]);
    // def neg ran (at import), its return did not: one of two changed statements.
    expect(result.outputs['coverage-changed']).toBe('50.0');
    expect(result.summary).toContain('Changed lines: <strong>50.0%</strong>');
    expect(result.warnings).toEqual([
      'Line ' + returnLine + ' changed in this pull request but not covered by the tests.',
    ]);
    expect(result.commands).toContainEqual(
      expect.stringMatching(
        new RegExp(`^::warning title=Not covered,file=src/calc/__init__.py,line=${returnLine}::`),
      ),
    );
  }, 120_000);

  it('measures the changed lines from a coverage.xml in report-only mode', async () => {
    const dir = pullRequestRepo('pr-xml');
    git(dir, 'update-ref', 'refs/remotes/origin/main', 'main');
    const tested = await run(dir, {}, prEvent);
    expect(tested.errors).toEqual([]);
    // The report job of the same checkout (its venv, with an installed copy, is in it too).
    mkdirSync(join(dir, 'reports'));
    execFileSync(
      join(dir, '.venv/bin/python'),
      [
        '-m',
        'coverage',
        'xml',
        `--data-file=${tested.outputs['coverage-file']}`,
        '-o',
        join(dir, 'reports/coverage.xml'),
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    copyFileSync(tested.outputs['junit-path'], join(dir, 'reports/junit.xml'));
    const report = await runAction({
      workspace: dir,
      toolCache,
      inputs: {
        cache: 'none',
        'junit-files': 'reports/junit.xml',
        'coverage-files': 'reports/coverage.xml',
      },
      event: prEvent,
    });
    expect(report.errors).toEqual([]);
    expect(report.outputs.coverage).toBe(tested.outputs.coverage);
    expect(report.outputs['coverage-changed']).toBe('50.0');
    expect(report.warnings).toEqual(tested.warnings);
  }, 180_000);

  it('says so when the base branch is not in a shallow clone', async () => {
    const origin = pullRequestRepo('pr-origin');
    const shallow = join(workspaces, 'pr-shallow');
    rmSync(shallow, { recursive: true, force: true });
    git(workspaces, 'clone', '-q', '--depth', '1', '-b', 'feature', `file://${origin}`, shallow);
    const result = await run(shallow, {}, prEvent);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs['coverage-changed']).toBe('');
    expect(result.outputs.coverage).not.toBe('');
    expect(result.summary).toContain('Changed lines: not measured: the base branch main is not in');
    expect(result.summary).toContain('fetch-depth: 0');
  }, 120_000);
});
