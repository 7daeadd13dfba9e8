/**
 * In-place reuse on a self-hosted runner (the harness's RUNNER_ENVIRONMENT), through the bundle:
 * a venv left at venv-path by a run with the same key is reused without unpacking when its marker
 * is authentic and it still passes verification; anything else there is deleted as before.
 */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceFrom } from '../support/fixtures.js';
import { runAction, type EventContext, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, pyenvVersions } from '../../tools/toolcache.js';

jest.setTimeout(300_000);

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-in-place-'));
const toolCache = join(root, 'tool-cache');
layoutToolCache(toolCache, [pyenvVersions().find((v) => v.startsWith('3.11.'))!]);
const keyFile = join(root, 'key/cache-hmac.key');
// Made before the concurrent runs: two runs creating it at once can see it empty (secret.ts).
mkdirSync(join(root, 'key'), { mode: 0o700 });
writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

function run(workspace: string, cacheDir: string, event?: EventContext): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    event,
    env: { PYCI_CACHE_KEY_FILE: keyFile },
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', 'cache-dir': cacheDir },
  });
}

function expectGreen(result: RunResult): void {
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ tests: '1', passed: '1' });
}

const REUSED = /The virtualenv at .*\.venv was reused in place \(pyci-venv-/;
const RESTORED = /Restored .*\.venv from the local cache/;

describe('in-place reuse', () => {
  it.concurrent(
    'same key: reused without unpacking; changed distributions, a forged marker or an untrusted run: not reused',
    async () => {
      const workspace = workspaceFrom('cache-basic');
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      const venv = join(workspace, '.venv');

      const cold = await run(workspace, cacheDir);
      expectGreen(cold);
      const key = cold.outputs['cache-key'];

      const reused = await run(workspace, cacheDir);
      expectGreen(reused);
      expect(reused.stdout).toMatch(REUSED);
      expect(reused.stdout).not.toMatch(RESTORED);
      expect(reused.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': key });

      // Something removed a distribution between jobs: verification sees it; the cache restores.
      execFileSync(join(venv, 'bin/python'), ['-m', 'pip', 'uninstall', '-q', '-y', 'six']);
      const changed = await run(workspace, cacheDir);
      expectGreen(changed);
      expect(changed.stdout).toMatch(
        /Not reusing the virtualenv at .* in place: its marker does not vouch for it as it is now/,
      );
      expect(changed.stdout).toMatch(RESTORED);
      expect(changed.outputs['cache-hit']).toBe('true');

      // A marker rewritten by hand (another key's code) is not authentic.
      const marker = join(venv, '.pyci-in-place.json');
      const record = JSON.parse(readFileSync(marker, 'utf8')) as Record<string, unknown>;
      writeFileSync(marker, JSON.stringify({ ...record, mac: '0'.repeat(64) }));
      const forged = await run(workspace, cacheDir);
      expectGreen(forged);
      expect(forged.stdout).not.toMatch(REUSED);
      expect(forged.stdout).toMatch(RESTORED);

      // An untrusted run may reuse a trusted venv, but then marks it as its own...
      const comment = await run(workspace, cacheDir, { name: 'issue_comment' });
      expectGreen(comment);
      expect(comment.stdout).toMatch(REUSED);
      // ...and the next trusted run does not take a venv an untrusted run's tests used.
      const push = await run(workspace, cacheDir);
      expectGreen(push);
      expect(push.stdout).toMatch(/Not reusing the virtualenv at .* in place: .*trusted/);
      expect(push.stdout).toMatch(RESTORED);
    },
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
