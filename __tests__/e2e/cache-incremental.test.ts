/**
 * Incremental restore through the bundle: a cold run saves the venv; one requirement is bumped
 * (tomli 2.4.0 -> 2.4.1) and one dropped (six); the next run restores the nearest entry, changes
 * only those two, saves under the new key, and its package list equals a fresh install's (a run
 * with `cache: none` on the same files). Local backend and GitHub's stand-in service.
 */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCacheServer } from '../support/cache-server.js';
import { workspaceFrom } from '../support/fixtures.js';
import { runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, pyenvVersions } from '../../tools/toolcache.js';

jest.setTimeout(300_000);

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-incremental-'));
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

function expectGreen(result: RunResult): void {
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ tests: '1', passed: '1' });
}

/** `name==version` of everything in the workspace's venv, sorted. */
function packageList(workspace: string): string[] {
  const listed = execFileSync(
    join(workspace, '.venv/bin/python'),
    ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'],
    { encoding: 'utf8' },
  );
  return (JSON.parse(listed) as { name: string; version: string }[])
    .map((dist) => `${dist.name.toLowerCase()}==${dist.version}`)
    .sort();
}

const BUMPED = 'tomli==2.4.1\npytest\n';

async function expectIncrementalBump(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
) {
  const workspace = workspaceFrom('cache-bump');
  const cold = await run(workspace, inputs, env);
  expectGreen(cold);
  expect(cold.outputs['cache-hit']).toBe('false');
  expect(packageList(workspace)).toEqual(
    expect.arrayContaining(['tomli==2.4.0', expect.stringMatching(/^six==/)]),
  );

  writeFileSync(join(workspace, 'requirements.txt'), BUMPED);
  const bumped = await run(workspace, inputs, env);
  expectGreen(bumped);
  const oldKey = cold.outputs['cache-key'];
  const newKey = bumped.outputs['cache-key'];
  expect(newKey).not.toBe(oldKey);
  expect(newKey.slice(0, -32)).toBe(oldKey.slice(0, -32)); // same restore prefix
  expect(bumped.outputs['cache-hit']).toBe('false');
  expect(bumped.stdout).toContain(`Restored ${oldKey} (nearest); updating 1 packages, removing 1.`);
  expect(bumped.stdout).toContain('Updating: tomli');
  expect(bumped.stdout).toContain('Removing: six');
  // The venv was not recreated: no `-m venv`, and pip installed only the bumped package.
  expect(bumped.stdout).not.toMatch(/\[command\].* -m venv /);
  expect(bumped.stdout).toMatch(/Successfully installed tomli-2\.4\.1\s*$/m);
  expect(bumped.stdout).toContain(`as ${newKey}`); // saved under the new key

  const fresh = workspaceFrom('cache-bump');
  writeFileSync(join(fresh, 'requirements.txt'), BUMPED);
  expectGreen(await run(fresh, { cache: 'none' }));
  expect(packageList(workspace)).toEqual(packageList(fresh));
  expect(packageList(workspace)).not.toContainEqual(expect.stringMatching(/^six==/));

  // The next run hits the new key exactly.
  const warm = await run(workspace, inputs, env);
  expectGreen(warm);
  expect(warm.outputs['cache-hit']).toBe('true');
  expect(warm.outputs['cache-key']).toBe(newKey);
}

describe('a bumped requirement restores the nearest environment and updates it', () => {
  it.concurrent('local backend (cache-dir)', async () => {
    await expectIncrementalBump({ 'cache-dir': mkdtempSync(join(root, 'cache-')) });
  });

  describe('GitHub backend through the stand-in cache service', () => {
    const server = useCacheServer();

    it('restores by restore key from the service', async () => {
      await expectIncrementalBump({}, server().env);
    });
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
