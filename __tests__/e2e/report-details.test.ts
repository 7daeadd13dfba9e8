/**
 * Issue 11 (all but coverage) through the real bundle (dist/index.js): counts that agree with
 * pytest's closing line (pytest 9 subtests, teardown errors), the summary's details, reruns and
 * flaky tests. Real Python 3.11 from a runner-style tool cache, real pip, real pytest 9.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-details-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const toolCache = mkdtempSync(join(scratch, 'toolcache-'));
layoutToolCache(toolCache, [newestPatch('3.11')]);
/** Shared venv cache: each fixture keeps its workspace path, so later runs restore its venv. */
const sharedCache = mkdtempSync(join(scratch, 'cache-'));
const workspaces = mkdtempSync(join(scratch, 'ws-'));

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

/** pytest's own closing line in the log (`=== 23 failed, 2 passed, 2 errors in 0.1s ===`). */
function closingCounts(stdout: string): Record<string, number> {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => /^=+ .* in [\d.]+s(?: \([^)]*\))? =+$/.test(l.trim()));
  if (!line) throw new Error(`no pytest closing line in:\n${stdout}`);
  const counts: Record<string, number> = {};
  for (const [, n, word] of line.matchAll(/(\d+) (\w+)/g))
    counts[word.replace(/^errors$/, 'error')] = Number(n);
  return counts;
}

/** Error annotations that point at a file (the step's own error has no file). */
const fileAnnotations = (result: RunResult) =>
  result.commands.filter((line) => line.startsWith('::error ') && line.includes('file='));

describe('counts agree with pytest', () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await run(workspaceFrom('report-subtests'));
  }, 120_000);

  it("outputs, summary and annotations give pytest's counts for subtests and teardown errors", () => {
    expect(result.exitCode).toBe(1);
    const pytest = closingCounts(result.stdout);
    // 21 failed subtests and their test, one more failure; a teardown error after a pass and
    // one after a failure (pytest writes that test's <testcase> twice).
    expect(pytest.failed).toBeGreaterThan(21);
    expect(result.outputs.failed).toBe(String(pytest.failed));
    expect(result.outputs.errors).toBe(String(pytest.error));
    expect(result.outputs.passed).toBe(String(pytest.passed));
    expect(result.outputs.tests).toBe(String(pytest.failed + pytest.error + pytest.passed));
    expect(result.summary).toContain(
      `${pytest.failed} failed, ${pytest.error} errors, ${pytest.passed} passed`,
    );
    // Annotated failures plus the ones the overflow notice counts add up to the outputs.
    const more = result.notices
      .map((n) => /^(\d+) more failures? not annotated/.exec(n))
      .find((m) => m !== null);
    expect(fileAnnotations(result).length + Number(more?.[1] ?? 0)).toBe(
      pytest.failed + pytest.error,
    );
  });
});
