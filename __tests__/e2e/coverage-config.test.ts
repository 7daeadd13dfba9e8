/**
 * Coverage on a project with its own coverage configuration, as pluggy's: a .coveragerc with
 * [run] include (the package where it runs, and the tests), parallel = true, branch = 1, [paths]
 * and [report] exclude_lines, and pytest's filterwarnings = error. Through the real bundle with
 * real Python 3.11, pytest and pytest-cov. Expected totals come from coverage.py's own JSON report
 * of the same data file, read with JSON.parse in the project's folder (its settings applied).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-covcfg-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const toolCache = mkdtempSync(join(scratch, 'toolcache-'));
layoutToolCache(toolCache, [newestPatch('3.11')]);
const sharedCache = mkdtempSync(join(scratch, 'cache-'));

function workspace(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(repoRoot, '__tests__/fixtures/projects/coverage-config'), dir, { recursive: true });
  return dir;
}

function run(dir: string, coverage: string): Promise<RunResult> {
  return runAction({
    workspace: dir,
    toolCache,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'cache-dir': sharedCache,
      coverage,
    },
  });
}

interface OwnReport {
  meta: { branch_coverage: boolean };
  totals: { percent_covered: number };
  files: Record<string, { excluded_lines: number[] }>;
}

/** coverage.py's own JSON report of a data file, made in the project's folder. */
function ownReport(dir: string, dataFile: string, name: string): OwnReport {
  const out = join(scratch, `${name}.json`);
  execFileSync(
    join(dir, '.venv/bin/python'),
    ['-m', 'coverage', 'json', `--data-file=${dataFile}`, '-o', out],
    { cwd: dir, stdio: 'pipe' },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as OwnReport;
}

const oneDecimal = (percent: number) => (Math.floor(percent * 10 + 1e-9) / 10).toFixed(1);

describe("a project's own coverage configuration", () => {
  it('measures what its include says, with its branch and exclusions, without failing its tests', async () => {
    const dir = workspace('config');
    const result = await run(dir, 'true');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.tests).toBe('3');
    expect(result.outputs.failed).toBe('0');
    expect(result.stdout).toContain('coverage: measuring what');
    const own = ownReport(dir, result.outputs['coverage-file'], 'config');
    expect(result.outputs.coverage).toBe(oneDecimal(own.totals.percent_covered));
    // branch = 1 held while measuring; [paths] mapped the installed copy back to src/.
    expect(own.meta.branch_coverage).toBe(true);
    expect(Object.keys(own.files).sort()).toEqual(['src/tally/__init__.py', 'tests/test_tally.py']);
    expect(own.files['src/tally/__init__.py'].excluded_lines.length).toBeGreaterThan(0);
    // The include measures the tests too: they are in the summary, as in the project's report.
    expect(result.summary).toContain('src/tally/__init__.py');
    expect(result.summary).toContain('tests/test_tally.py');
  }, 180_000);

  it("measures the coverage input's sources over the include, the warning shown, not raised", async () => {
    const dir = workspace('explicit');
    const result = await run(dir, 'tally');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.tests).toBe('3');
    expect(result.stdout).toMatch(/the \[run\] include of \S+\.coveragerc is ignored/);
    expect(result.stdout).toContain('include-ignored');
    const own = ownReport(dir, result.outputs['coverage-file'], 'explicit');
    expect(result.outputs.coverage).toBe(oneDecimal(own.totals.percent_covered));
    expect(Object.keys(own.files)).toEqual(['src/tally/__init__.py']);
    expect(result.summary).not.toContain('tests/test_tally.py');
  }, 180_000);
});
