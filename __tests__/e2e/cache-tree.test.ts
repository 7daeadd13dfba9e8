/**
 * Local entries restored by hard links, through the bundle: a save keeps the venv's snapshot as
 * the entry's tree, a warm run links it instead of unpacking, and a tree a test wrote into (in
 * place, through a restored venv that shares its files) is dropped for the archive.
 */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceFrom } from '../support/fixtures.js';
import { runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, pyenvVersions } from '../../tools/toolcache.js';

jest.setTimeout(300_000);

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-tree-'));
const toolCache = join(root, 'tool-cache');
layoutToolCache(toolCache, [pyenvVersions().find((v) => v.startsWith('3.11.'))!]);
const keyFile = join(root, 'key/cache-hmac.key');
mkdirSync(join(root, 'key'), { mode: 0o700 });
writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(workspace: string, cacheDir: string): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    // Every run restores (no reuse in place, that is cache-in-place.test.ts).
    env: { PYCI_CACHE_KEY_FILE: keyFile, RUNNER_ENVIRONMENT: 'github-hosted' },
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', 'cache-dir': cacheDir },
  });
}

function expectGreen(result: RunResult, tests = '1'): void {
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ tests, passed: tests });
}

const trees = (cacheDir: string) => readdirSync(cacheDir).filter((n) => n.endsWith('.tree'));
const BY_LINKS = /^Restored .*\/\.venv from the local cache by hard links to \S+\.tree /m;
const BY_ARCHIVE = /^Restored .*\/\.venv from the local cache \(\S+\.tar\.zst\)\.$/m;

test('a warm run links the tree; after a test appended to a venv file, the archive is unpacked', async () => {
  const workspace = workspaceFrom('cache-basic');
  const cacheDir = mkdtempSync(join(root, 'cache-'));
  const venv = join(workspace, '.venv');

  const cold = await run(workspace, cacheDir);
  expectGreen(cold);
  expect(cold.outputs['cache-hit']).toBe('false');
  const key = cold.outputs['cache-key'];
  expect(trees(cacheDir)).toHaveLength(1);
  const tree = join(cacheDir, trees(cacheDir)[0]);
  expect(existsSync(`${tree}.json`)).toBe(true);
  expect(readdirSync(workspace).filter((n) => n.includes('pyci-save'))).toEqual([]);

  const warm = await run(workspace, cacheDir);
  expectGreen(warm);
  expect(warm.outputs['cache-hit']).toBe('true');
  expect(warm.stdout).toMatch(BY_LINKS);
  expect(warm.stdout).not.toMatch(BY_ARCHIVE);
  expect(statSync(join(venv, 'pyvenv.cfg')).ino).toBe(statSync(join(tree, 'pyvenv.cfg')).ino);

  // A test that writes into a file of the venv in place: it writes into the tree too.
  writeFileSync(
    join(workspace, 'tests/test_append.py'),
    [
      'import os, sys',
      '',
      '',
      'def test_appends_to_the_venv():',
      "    with open(os.path.join(sys.prefix, 'bin', 'activate'), 'a') as f:",
      "        f.write('# appended by a test\\n')",
      '',
    ].join('\n'),
  );
  const appending = await run(workspace, cacheDir);
  expectGreen(appending, '2');
  expect(appending.stdout).toMatch(BY_LINKS);
  expect(readFileSync(join(tree, 'bin/activate'), 'utf8')).toContain('# appended by a test');
  rmSync(join(workspace, 'tests/test_append.py'));

  const after = await run(workspace, cacheDir);
  expectGreen(after);
  expect(after.outputs['cache-hit']).toBe('true');
  expect(after.stdout).toContain(
    `The tree of cache entry ${key} changed since it was saved (bin/activate changed (size)); unpacking the archive.`,
  );
  expect(after.stdout).toMatch(BY_ARCHIVE);
  expect(after.stdout).not.toMatch(BY_LINKS);
  expect(readFileSync(join(venv, 'bin/activate'), 'utf8')).not.toContain('# appended');
  expect(trees(cacheDir)).toEqual([]);

  // The entry is whole without its tree: the next run unpacks at once, saying nothing about it.
  const next = await run(workspace, cacheDir);
  expectGreen(next);
  expect(next.stdout).toMatch(BY_ARCHIVE);
  expect(next.stdout).not.toContain('tree of cache entry');
});
