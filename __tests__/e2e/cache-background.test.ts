/**
 * The cache save runs while pytest runs, through the bundle: it starts before the tests, its log
 * comes after them (outside pytest's stop-commands fence), and with the local backend it archives
 * a snapshot taken before the tests, so what a test writes into the venv never reaches the entry.
 * A save that fails only warns.
 */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCacheServer } from '../support/cache-server.js';
import { workspaceFrom } from '../support/fixtures.js';
import { runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, pyenvVersions } from '../../tools/toolcache.js';

jest.setTimeout(300_000);

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-cache-bg-'));
const toolCache = join(root, 'tool-cache');
layoutToolCache(toolCache, [pyenvVersions().find((v) => v.startsWith('3.11.'))!]);
const keyFile = join(root, 'key/cache-hmac.key');
// Made before the concurrent runs: two runs creating it at once can see it empty (secret.ts).
mkdirSync(join(root, 'key'), { mode: 0o700 });
writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

function run(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    // Restores from the cache as on a hosted runner (no reuse in place: cache-in-place.test.ts).
    env: { RUNNER_ENVIRONMENT: 'github-hosted', PYCI_CACHE_KEY_FILE: keyFile, ...env },
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', ...inputs },
  });
}

/** A test that leaves a file in the venv and a new module in its site-packages. */
const WRITES_INTO_VENV = `import pathlib, sys, sysconfig, time


def test_writes_into_the_venv():
    pathlib.Path(sys.prefix, "written-by-a-test.txt").write_text("x")
    pathlib.Path(sysconfig.get_paths()["purelib"], "planted_by_test.py").write_text("X = 1\\n")
    time.sleep(1)
`;

/**
 * A cold run whose test writes into the venv while the save runs, then a warm run from the entry
 * it saved: the entry holds the venv as installed, without what the test wrote.
 */
async function expectSnapshotSaved(
  backend: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<void> {
  const workspace = workspaceFrom('cache-basic');
  writeFileSync(join(workspace, 'tests/test_writes.py'), WRITES_INTO_VENV);

  const cold = await run(workspace, inputs, env);
  expect(cold.errors).toEqual([]);
  expect(cold.warnings).toEqual([]);
  expect(cold.outputs).toMatchObject({ tests: '2', passed: '2', 'cache-hit': 'false' });
  const key = cold.outputs['cache-key'];
  const started = cold.stdout.indexOf(`Saving the cache as ${key} while the tests run.`);
  const pytest = cold.stdout.indexOf('::group::Running pytest');
  const saved = cold.stdout.search(new RegExp(`Saved \\S*\\.venv to the ${backend} cache`));
  expect(started).toBeGreaterThan(0);
  expect(pytest).toBeGreaterThan(started);
  expect(saved).toBeGreaterThan(cold.stdout.indexOf('passed', pytest));
  expect(cold.stdout).toContain('::group::Saving the cache');
  // The snapshot is gone; the test's file is in the live venv.
  expect(existsSync(join(workspace, '.venv/written-by-a-test.txt'))).toBe(true);
  expect(readdirSync(workspace).filter((name) => name.startsWith('.venv.'))).toEqual([]);

  rmSync(join(workspace, 'tests/test_writes.py'));
  writeFileSync(
    join(workspace, 'tests/test_clean.py'),
    'import importlib.util, pathlib, sys\n\n\ndef test_clean():\n    assert not pathlib.Path(sys.prefix, "written-by-a-test.txt").exists()\n    assert importlib.util.find_spec("planted_by_test") is None\n',
  );
  // A fresh checkout: no venv (else the in-place reuse would answer).
  rmSync(join(workspace, '.venv'), { recursive: true, force: true });
  const warm = await run(workspace, inputs, env);
  expect(warm.errors).toEqual([]);
  expect(warm.outputs).toMatchObject({ tests: '2', passed: '2', 'cache-hit': 'true' });
  expect(readdirSync(workspace).filter((name) => name.startsWith('.venv.'))).toEqual([]);
}

describe('saving while the tests run', () => {
  it.concurrent(
    'local backend: started before pytest, logged after it, archived from a snapshot',
    async () => {
      await expectSnapshotSaved('local', { 'cache-dir': mkdtempSync(join(root, 'cache-')) });
    },
  );

  describe('GitHub backend through the stand-in cache service', () => {
    const server = useCacheServer();

    it('archives a snapshot at the staging path, where the restore unpacks it', async () => {
      // Before, the live venv was archived: what the test wrote reached the entry.
      await expectSnapshotSaved('github', {}, server().env);
    });
  });

  it.concurrent('a save that fails warns after the tests; the step passes', async () => {
    const workspace = workspaceFrom('cache-basic');
    // A file where the cache directory should be: the save cannot create it.
    const cacheDir = join(root, 'not-a-directory');
    writeFileSync(cacheDir, '');
    const result = await run(workspace, { 'cache-dir': cacheDir });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ tests: '1', passed: '1' });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^Cache entry .* is unreadable \(ENOTDIR/), // the restore, before
      expect.stringMatching(/^Could not save cache entry /),
    ]);
    // The results entry meets the same broken directory: an info line, not a second warning.
    expect(result.stdout).toMatch(/^Could not save cache entry pyci-results-/m);
    expect(result.stdout.indexOf('::warning::Could not save')).toBeGreaterThan(
      result.stdout.indexOf('::group::Running pytest'),
    );
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
