/**
 * The pytest stage and the process runner through the real bundle (issue #9): sharding that does
 * not depend on pytest's output format, runs that ran nothing, what the code under test can see
 * and leave behind, timeouts, the user's own --junitxml, and output volume.
 * Real Python 3.11 from a runner-style tool cache, real pip, real pytest.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction, type RunOptions, type RunResult } from '../support/runner.js';
import { layoutToolCache } from '../support/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-pytest-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const toolCache = join(scratch, 'tool-cache');
layoutToolCache(toolCache, ['3.11.7']);
/** One venv path and cache for every run: the first run installs pytest, the others restore it. */
const venv = join(scratch, 'venv');
const cacheDir = join(scratch, 'cache');

function run(
  workspace: string,
  inputs: Record<string, string> = {},
  options: Partial<RunOptions> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    ...options,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'install-project': 'false',
      'venv-path': venv,
      'cache-dir': cacheDir,
      ...inputs,
    },
  });
}

/** A fresh copy of a fixture project. */
function fixture(name: string): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  cpSync(join(repoRoot, '__tests__/fixtures/projects', name), dir, { recursive: true });
  return dir;
}

/** A project made of these files (path -> content). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'project-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** `classname::name` of every <testcase> of a JUnit file, read with a plain regex. */
function junitIds(path: string): string[] {
  const xml = readFileSync(path, 'utf8');
  return [...xml.matchAll(/<testcase\s[^>]*?classname="([^"]*)"[^>]*?name="([^"]*)"/g)].map(
    (m) => `${m[1]}::${m[2]}`,
  );
}

describe('shards do not depend on how pytest prints', () => {
  it.each(['addopts-verbose', 'addopts-quiet'])(
    '%s: both shards of 2 run tests and together cover the suite once',
    async (name) => {
      const full = await run(fixture(name));
      expect(full.errors).toEqual([]);
      expect(full.outputs.tests).toBe('6');
      const all = junitIds(full.outputs['junit-path']).sort();
      const shards: string[][] = [];
      for (const i of [1, 2]) {
        const shard = await run(fixture(name), { shard: `${i}/2` });
        expect(shard.errors).toEqual([]);
        expect(shard.exitCode).toBe(0);
        expect(Number(shard.outputs.tests)).toBeGreaterThan(0);
        shards.push(junitIds(shard.outputs['junit-path']));
      }
      expect(shards.flat().sort()).toEqual(all);
    },
    180_000,
  );
});

describe('a run that ran no tests never passes', () => {
  it('pytest-args: --collect-only fails and does not deploy', async () => {
    const result = await run(fixture('addopts-verbose'), { 'pytest-args': '--collect-only' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^pytest ran no tests .*--collect-only/);
    expect(result.outputs).toMatchObject({ tests: '0', deploy: 'false' });
  });

  it('a shard given tests that runs none fails even with allow-no-tests', async () => {
    const result = await run(fixture('addopts-quiet'), {
      'pytest-args': '--collect-only',
      shard: '1/2',
      'allow-no-tests': 'true',
    });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^Shard 1\/2 was given \d+ tests but pytest ran none/);
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });

  it('a shard of a suite with no tests fails like pytest exit 5', async () => {
    const result = await run(project({ 'tests/test_nothing.py': 'X = 1\n' }), { shard: '1/2' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^No tests were collected/);
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });
});
