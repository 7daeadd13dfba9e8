/**
 * Issue 5 through the real bundle (dist/index.js): shards and their union, shard timings,
 * report-only merging of shard reports, pytest-xdist, annotations from a project in a subfolder
 * with more failures than GitHub annotates, the summary size bound, and pytest's exit codes.
 * Real Python 3.11 from a runner-style tool cache, real pip, real pytest.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

/** Everything this file creates (workspaces, venv cache, report copies) goes here. */
const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-reporting-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const toolCache = mkdtempSync(join(scratch, 'toolcache-'));
layoutToolCache(toolCache, [newestPatch('3.11')]);

/**
 * The venv cache is shared on purpose between the runs of this file, and each fixture always
 * runs at the same workspace path (as every job of a repository does on a runner; the venv's
 * path is part of the cache key): the first run installs, later runs restore the venv, which
 * keeps the file fast. Other dependencies or another path give another key.
 */
const sharedCache = mkdtempSync(join(scratch, 'cache-'));
const workspaces = mkdtempSync(join(scratch, 'ws-'));

/** A fixed workspace path (default: the fixture's name), emptied and filled with a fresh copy. */
function workspaceFrom(fixture: string, name = fixture): string {
  const dir = join(workspaces, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, '__tests__/fixtures/projects', fixture), dir, { recursive: true });
  return dir;
}

function run(
  workspace: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'cache-dir': sharedCache,
      ...inputs,
    },
    env,
  });
}

/** A run in report-only mode: no Python, no tests, only the JUnit files of `workspace`. */
function reportOnly(workspace: string, junitFiles: string): Promise<RunResult> {
  // An empty tool cache and no other source: report-only mode must not need Python.
  return runAction({
    workspace,
    toolCache: mkdtempSync(join(scratch, 'empty-tc-')),
    inputs: { 'junit-files': junitFiles, 'python-source': 'tool-cache', cache: 'none' },
  });
}

/**
 * Test ids of a JUnit file, read with a plain regex (independent of the reader under test):
 * `classname::name` of every <testcase>, attribute values left as written.
 */
function junitIds(path: string): string[] {
  const xml = readFileSync(path, 'utf8');
  return [...xml.matchAll(/<testcase\s((?:[^>"]|"[^"]*")*)>/g)].map((match) => {
    const attrs = Object.fromEntries(
      [...match[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]),
    );
    return `${attrs.classname}::${attrs.name}`;
  });
}

const COUNTS = ['tests', 'passed', 'failed', 'errors', 'skipped'] as const;
const counts = (result: RunResult) => COUNTS.map((name) => result.outputs[name]);

/** Error annotations that point at a file (the step's own error has no file). */
const fileAnnotations = (result: RunResult) =>
  result.commands.filter((line) => line.startsWith('::error ') && line.includes('file='));

let full: RunResult;
let fullIds: string[];
/** The JUnit reports of shards 1/3, 2/3, 3/3 (balanced by file). */
const byFile: RunResult[] = [];
/**
 * Two runs that need venvs of their own (other path, other packages) are started at once, one
 * after the other, beside the shard runs below, and awaited by their tests: the file stays
 * under 90 s.
 */
let ownVenvRuns: Promise<{ manyFailures: RunResult; xdist: RunResult }>;

beforeAll(async () => {
  ownVenvRuns = (async () => {
    const manyFailures = await run(workspaceFrom('report-many-failures'), {
      'working-directory': 'sub/project',
    });
    const xdist = await run(workspaceFrom('report-shards', 'report-shards-xdist'), {
      packages: 'pytest-xdist',
      'pytest-args': '-n 2',
    });
    return { manyFailures, xdist };
  })();
  full = await run(workspaceFrom('report-shards'));
  expect(full.errors).toEqual([]);
  fullIds = junitIds(full.outputs['junit-path']);
  // The shards restore the venv the full run cached.
  for (const i of [1, 2, 3])
    byFile.push(await run(workspaceFrom('report-shards'), { shard: `${i}/3` }));
}, 120_000);

describe('shards', () => {
  it('the full run sees all 12 tests', () => {
    expect(full.exitCode).toBe(0);
    expect(counts(full)).toEqual(['12', '12', '0', '0', '0']);
    expect(fullIds).toHaveLength(12);
    expect(new Set(fullIds).size).toBe(12);
  });

  it('1/3, 2/3 and 3/3 together run every test of the full run exactly once', () => {
    const shardIds = byFile.map((result, i) => {
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      const ids = junitIds(result.outputs['junit-path']);
      expect(ids.length).toBeGreaterThan(0);
      expect(result.outputs.tests).toBe(String(ids.length));
      expect(result.stdout).toContain(
        `Shard ${i + 1}/3: ${ids.length} of 12 tests, balanced by file.`,
      );
      return ids;
    });
    const union = shardIds.flat();
    expect(union).toHaveLength(12); // no test in two shards
    expect([...union].sort()).toEqual([...fullIds].sort());
    // Balanced by file: a test file is never split when the files are smaller than a share.
    for (const ids of shardIds) {
      for (const file of new Set(ids.map((id) => id.split('::')[0]))) {
        const inOtherShards = shardIds.filter((other) => other !== ids).flat();
        expect(inOtherShards.some((id) => id.split('::')[0] === file)).toBe(false);
      }
    }
  });

  it('shard-timings from an earlier full report balances by duration, still each test once', async () => {
    const shards: RunResult[] = [];
    for (const i of [1, 2, 3]) {
      const ws = workspaceFrom('report-shards');
      mkdirSync(join(ws, 'timings'));
      copyFileSync(full.outputs['junit-path'], join(ws, 'timings', 'full.xml'));
      shards.push(await run(ws, { shard: `${i}/3`, 'shard-timings': 'timings/full.xml' }));
    }
    const shardIds = shards.map((result, i) => {
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      const ids = junitIds(result.outputs['junit-path']);
      expect(result.stdout).toContain(
        `Shard ${i + 1}/3: ${ids.length} of 12 tests, balanced by recorded durations.`,
      );
      return ids;
    });
    const union = shardIds.flat();
    expect(union).toHaveLength(12);
    expect([...union].sort()).toEqual([...fullIds].sort());
    // The three slow tests (0.4 s, 0.3 s, 0.2 s; the rest take ~0) land in three different shards.
    const slow = [
      'tests.sub.test_delta.TestDelta::test_slowest',
      'tests.test_alpha::test_three_slow',
      'tests.test_beta::test_slow_join',
    ];
    expect(shardIds.map((ids) => ids.filter((id) => slow.includes(id)).length)).toEqual([1, 1, 1]);
  }, 90_000);

  it('a shard with no tests (more shards than tests) passes with a notice', async () => {
    const result = await run(workspaceFrom('report-shards'), { shard: '13/13' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.notices).toContain(
      'Shard 13/13 has no tests: the suite has fewer files or tests than shards.',
    );
    expect(result.outputs.tests).toBe('0');
    expect(result.outputs.deploy).toBe('true');
  });

  it.each([
    ['0/3', /^Input 'shard' is '0\/3': the part number must be between 1 and the number of parts/],
    ['4/3', /^Input 'shard' is '4\/3': the part number must be between 1/],
    ['1/0', /^Input 'shard' is '1\/0'/],
    ['two/3', /^Input 'shard' is 'two\/3', which is not of the form i\/n/],
    ['3', /^Input 'shard' is '3', which is not of the form i\/n/],
    ['-1/3', /^Input 'shard' is '-1\/3', which is not of the form i\/n/],
  ])('rejects shard "%s" with one clear error', async (shard, message) => {
    const result = await run(workspaceFrom('report-shards'), { shard });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(message);
    expect(result.outputs['python-version']).toBeUndefined(); // failed before any work
  });
});

describe('report-only mode', () => {
  /** A workspace holding the three shard reports as reports/shard-<i>.xml. */
  function workspaceWithShardReports(reports: string[]): string {
    const ws = mkdtempSync(join(scratch, 'report-only-'));
    mkdirSync(join(ws, 'reports'));
    reports.forEach((path, i) => copyFileSync(path, join(ws, 'reports', `shard-${i + 1}.xml`)));
    return ws;
  }

  it('merges the shard reports into the full run counts, one summary, and deploys', async () => {
    const ws = workspaceWithShardReports(byFile.map((r) => r.outputs['junit-path']));
    const result = await reportOnly(ws, 'reports/shard-*.xml');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Report-only mode: reading 3 JUnit file(s).');
    expect(counts(result)).toEqual(counts(full));
    expect(result.outputs['junit-path'].split('\n')).toEqual(
      [1, 2, 3].map((i) => join(ws, 'reports', `shard-${i}.xml`)),
    );
    // Nothing was set up.
    expect(result.outputs['python-version']).toBeUndefined();
    expect(existsSync(join(ws, '.venv'))).toBe(false);
    expect(result.env).toEqual({});
    // One merged summary with one headline.
    expect(result.summary.match(/<h2>/g)).toHaveLength(1);
    // Under a second the duration reads in ms ("965 ms"), else in seconds.
    expect(result.summary).toMatch(/<h2>✅ pytest: 12 passed in [\d.]+ ?m?s<\/h2>/);
    expect(fileAnnotations(result)).toEqual([]);
    expect(result.outputs).toMatchObject({ deploy: 'true' });
    expect(result.outputs['deploy-reason']).toMatch(/^deploying/);
  });

  it('a failing shard fails the step, annotates the failure and does not deploy', async () => {
    // Run again the shard that holds the breakable test, with the test broken.
    const which = byFile.findIndex((r) =>
      junitIds(r.outputs['junit-path']).includes('tests.test_beta::test_breakable'),
    );
    expect(which).toBeGreaterThanOrEqual(0);
    const broken = await run(
      workspaceFrom('report-shards'),
      { shard: `${which + 1}/3` },
      { PYCI_FIXTURE_BREAK: 'beta' },
    );
    expect(broken.exitCode).toBe(1);
    const reports = byFile.map((r) => r.outputs['junit-path']);
    reports[which] = broken.outputs['junit-path'];

    const result = await reportOnly(workspaceWithShardReports(reports), 'reports/*.xml');
    expect(result.exitCode).toBe(1);
    expect(counts(result)).toEqual(['12', '11', '1', '0', '0']);
    const annotations = fileAnnotations(result);
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(
      // Several files merged: the title names the one it failed in.
      new RegExp(
        `^::error title=Failed%3A tests/test_beta.py%3A%3Atest_breakable \\(on shard-${which + 1}\\.xml\\),file=tests/test_beta.py,line=\\d+::.*broken on purpose by the e2e test`,
      ),
    );
    expect(result.errors.at(-1)).toBe(
      'Tests failed: 1 failed, 0 errors, 11 passed. See the job summary.',
    );
    expect(result.summary.match(/<h2>/g)).toHaveLength(1);
    expect(result.summary).toContain('tests/test_beta.py::test_breakable');
    expect(result.outputs).toMatchObject({
      deploy: 'false',
      'deploy-reason': 'not deploying: tests failed',
    });
  }, 60_000);

  it('a junit-files pattern that matches nothing is one clear error', async () => {
    const ws = mkdtempSync(join(scratch, 'report-only-'));
    const result = await reportOnly(ws, 'reports/*.xml');
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^junit-files: nothing matches "reports\/\*\.xml"/);
    expect(result.outputs.tests).toBeUndefined();
  });

  it('a truncated JUnit file is one clear error naming the file', async () => {
    const ws = workspaceWithShardReports(byFile.map((r) => r.outputs['junit-path']));
    const cut = join(ws, 'reports', 'shard-2.xml');
    const xml = readFileSync(cut);
    writeFileSync(cut, xml.subarray(0, Math.floor(xml.length / 2)));
    const result = await reportOnly(ws, 'reports/shard-*.xml');
    expectCleanFailure(result);
    expect(result.errors[0]).toContain(`Cannot read the JUnit report ${cut}`);
    expect(result.outputs.deploy).toBe('false'); // an early failure never leaves deploy unset
  });
});

describe('pytest-xdist', () => {
  it('packages: pytest-xdist with -n 2 runs every test on two workers, counted right', async () => {
    const { xdist: result } = await ownVenvRuns;
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/created: 2\/2 workers/);
    expect(counts(result)).toEqual(counts(full));
    expect(junitIds(result.outputs['junit-path']).sort()).toEqual([...fullIds].sort());
  }, 90_000);
});

describe('annotations and summary of a project in a subfolder with many failures', () => {
  let result: RunResult;
  beforeAll(async () => {
    result = (await ownVenvRuns).manyFailures;
  }, 90_000);

  it('counts every failure and fails the step', () => {
    expect(result.exitCode).toBe(1);
    expect(counts(result)).toEqual(['151', '1', '150', '0', '0']);
  });

  it('annotates 9 failures at sub/project/tests/..., then one notice for the other 141', () => {
    const annotations = fileAnnotations(result);
    // GitHub shows 10 error annotations per step; the step's own error is the tenth.
    expect(annotations).toHaveLength(9);
    for (const line of annotations)
      expect(line).toMatch(/,file=sub\/project\/tests\/test_many\.py,line=\d+::.*case \d+ failed/);
    expect(result.errors).toHaveLength(10);
    expect(result.errors.at(-1)).toMatch(/^Some tests failed: 150 failed, 0 errors, 1 passed/);
    expect(result.notices).toContain('141 more failures not annotated; see the job summary.');
  });

  it('keeps the summary under 1 MiB and says what it left out', () => {
    expect(Buffer.byteLength(result.summary)).toBeLessThan(1_000_000);
    expect(result.summary).toContain(
      '100 more failures and errors are not listed: the report keeps the first 50.',
    );
    expect(result.summary).toMatch(/<h2>❌ pytest: 150 failed, 1 passed in/);
  });
});

describe('pytest exit codes', () => {
  let usageRun: Promise<RunResult> | undefined;
  const usageError = () =>
    (usageRun ??= run(workspaceFrom('report-shards'), {
      'pytest-args': '--definitely-not-an-option',
    }));

  it('a usage error is one clear error naming pytest-args', async () => {
    const result = await usageError();
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^pytest rejected its command line \(exit 4\): check pytest-args\./,
    );
    expect(result.outputs.tests).toBeUndefined();
  });

  // Under `python -m pytest`, argparse names the program "python -m pytest" (or `__main__.py`):
  // the reason line "... : error: unrecognized arguments: ..." must reach the user.
  it('a usage error shows pytest own reason', async () => {
    const result = await usageError();
    expect(result.errors[0]).toContain('unrecognized arguments: --definitely-not-an-option');
  });

  it('a collection error (a syntax error in a test file) fails clearly', async () => {
    const ws = workspaceFrom('report-shards');
    writeFileSync(
      join(ws, 'tests', 'test_broken.py'),
      'def test_never_collected(:\n    assert True\n',
    );
    const result = await run(ws);
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const step = result.errors.at(-1)!;
    expect(step).toMatch(/collection error/);
    // The collection error is counted, annotated on the broken file, and pytest's own lines
    // (the SyntaxError) are in the step's error.
    expect(result.outputs).toMatchObject({ tests: '1', errors: '1' });
    expect(fileAnnotations(result)).toEqual([
      expect.stringMatching(/,file=tests\/test_broken\.py::collection failure$/),
    ]);
    expect(step).toMatch(/SyntaxError: invalid syntax/);
    expect(result.outputs.deploy).toBe('false');
  }, 60_000);
});
