/**
 * Which runs save, through the bundle: `cache-save` (default `default-branch`, read against the
 * payload's repository.default_branch) and `cache-max-size`; bad values of either are input
 * errors. Local backend (`cache-dir`).
 */
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import { serveWheels } from '../support/wheel-server.js';
import { workspaceFrom } from '../support/fixtures.js';
import { runAction, type EventContext, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, pyenvPrefix, pyenvVersions } from '../../tools/toolcache.js';

jest.setTimeout(300_000);

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-cache-policy-'));
const toolCache = join(root, 'tool-cache');
layoutToolCache(toolCache, [pyenvVersions().find((v) => v.startsWith('3.11.'))!]);
const keyFile = join(root, 'key/cache-hmac.key');
// Made before the concurrent runs: two runs creating it at once can see it empty (secret.ts).
mkdirSync(join(root, 'key'), { mode: 0o700 });
writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

function run(
  workspace: string,
  inputs: Record<string, string>,
  event?: EventContext,
  env: Record<string, string> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    event,
    // Restores from the cache as on a hosted runner (no reuse in place: cache-in-place.test.ts).
    env: { RUNNER_ENVIRONMENT: 'github-hosted', PYCI_CACHE_KEY_FILE: keyFile, ...env },
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', ...inputs },
  });
}

/** Saved entries of a local cache directory (one checksum pointer each). */
/** The venv's entries (branch pushes also record a small results entry, whatever cache-save says). */
function savedEntries(cacheDir: string): string[] {
  return existsSync(cacheDir)
    ? readdirSync(cacheDir).filter((n) => n.endsWith('.sha256') && n.startsWith('pyci-venv-'))
    : [];
}

function expectGreen(result: RunResult): void {
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ tests: '1', passed: '1' });
}

const payload = { repository: { default_branch: 'main' } };
const onBranch = (branch: string): EventContext => ({
  name: 'push',
  ref: `refs/heads/${branch}`,
  payload,
});

describe('cache-save', () => {
  it.concurrent(
    'default-branch: other branches restore what the default branch saved, and save nothing',
    async () => {
      const workspace = workspaceFrom('cache-basic');
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      const inputs = { 'cache-dir': cacheDir };

      const feature = await run(workspace, inputs, onBranch('feature/x'));
      expectGreen(feature);
      expect(feature.stdout).toContain(
        'Not saving the cache: cache-save is default-branch and this push run is on refs/heads/feature/x, not main; it restores what runs on main saved.',
      );
      expect(savedEntries(cacheDir)).toEqual([]);

      const main = await run(workspace, inputs, onBranch('main'));
      expectGreen(main);
      expect(main.stdout).toMatch(/Saved .*\.venv to the local cache/);
      expect(savedEntries(cacheDir)).toHaveLength(1);

      const again = await run(workspace, inputs, onBranch('feature/x'));
      expectGreen(again);
      expect(again.outputs['cache-hit']).toBe('true');

      // never: a miss on the default branch installs and saves nothing.
      const never = await run(
        workspace,
        { ...inputs, 'cache-save': 'never', packages: 'idna' },
        onBranch('main'),
      );
      expectGreen(never);
      expect(never.outputs['cache-hit']).toBe('false');
      expect(never.stdout).toContain('Not saving the cache: cache-save is never.');
      expect(savedEntries(cacheDir)).toHaveLength(1);
    },
  );

  it.concurrent('always: a feature branch push saves', async () => {
    const cacheDir = mkdtempSync(join(root, 'cache-'));
    const result = await run(
      workspaceFrom('cache-basic'),
      { 'cache-dir': cacheDir, 'cache-save': 'always' },
      onBranch('feature/y'),
    );
    expectGreen(result);
    expect(savedEntries(cacheDir)).toHaveLength(1);
  });

  it.concurrent('a value that is not a policy is an input error', async () => {
    const result = await run(workspaceFrom('cache-basic'), { 'cache-save': 'sometimes' });
    expectCleanFailure(result);
    expect(result.errors[0]).toBe(
      'Input cache-save must be one of always, default-branch, never, got "sometimes".',
    );
    expect(result.outputs.deploy).toBe('false');
  });
});

describe('cache-max-size', () => {
  it.concurrent(
    'an environment over the limit, and pip cached nothing: not saved, with a notice',
    async () => {
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      // A fresh runner's empty pip cache; the machine's file: indexes are never cached by pip.
      const pipCache = mkdtempSync(join(root, 'pip-cache-'));
      const result = await run(
        workspaceFrom('cache-basic'),
        { 'cache-dir': cacheDir, 'cache-max-size': '1M' },
        undefined,
        { PIP_CACHE_DIR: pipCache },
      );
      expectGreen(result);
      expect(result.notices).toContainEqual(
        expect.stringMatching(
          /^Not saving the cache: .*\.venv holds more than 1 MiB \(cache-max-size\).* Set cache: pip to cache only pip's downloads, or raise cache-max-size\.$/,
        ),
      );
      expect(savedEntries(cacheDir)).toEqual([]);
    },
  );

  it.concurrent(
    "an environment over the limit saves pip's cache instead; the next run installs from it",
    async () => {
      // pip caches only HTTP downloads: the wheels are served from 127.0.0.1 as an index would.
      const wheels = mkdtempSync(join(root, 'wheels-'));
      const python = join(
        pyenvPrefix(pyenvVersions().find((v) => v.startsWith('3.11.'))!),
        'bin/python',
      );
      execFileSync(python, ['-m', 'pip', 'download', '-q', '-d', wheels, 'pip', 'six', 'pytest'], {
        env: { ...process.env, PIP_RETRIES: '0' },
        stdio: 'pipe',
      });
      const index = await serveWheels(wheels);
      try {
        const cacheDir = mkdtempSync(join(root, 'cache-'));
        const inputs = {
          'cache-dir': cacheDir,
          // The venv (pip, pytest and theirs: ~15 MB) is over it; pip's cache (~3 MB) is not.
          'cache-max-size': '6M',
          'pip-args': `--no-index --trusted-host 127.0.0.1 --find-links ${index.url}`,
        };
        // Each run on a fresh runner: the checkout at the same path without a venv (the path is
        // part of the key), an empty pip cache.
        const workspace = workspaceFrom('cache-basic');
        const runFresh = async () => {
          rmSync(join(workspace, '.venv'), { recursive: true, force: true });
          const before = index.wheelGets.length;
          const pipCache = join(mkdtempSync(join(root, 'home-')), 'pip');
          const result = await run(workspace, inputs, undefined, {
            PIP_CACHE_DIR: pipCache,
          });
          return { result, downloads: index.wheelGets.slice(before) };
        };

        const first = await runFresh();
        expectGreen(first.result);
        expect(first.downloads.length).toBeGreaterThanOrEqual(3);
        expect(first.result.notices).toContainEqual(
          expect.stringMatching(
            /^Not saving the virtualenv: .*\.venv holds more than 6 MiB \(cache-max-size\)\. Saved pip's cache \(.*\) as pyci-pip-\S+ instead: the next run with the same dependencies installs from it without downloading\./,
          ),
        );
        expect(savedEntries(cacheDir)).toEqual([]);
        expect(readdirSync(cacheDir).filter((n) => /^pyci-pip-.*\.sha256$/.test(n))).toHaveLength(
          1,
        );

        const second = await runFresh();
        expectGreen(second.result);
        expect(second.result.outputs['cache-hit']).toBe('false');
        expect(second.result.stdout).toMatch(
          /^Restored pip's cache \(.*\) from the local cache \(pyci-pip-\S+\): the environment was too large to save/m,
        );
        expect(second.downloads).toEqual([]); // every wheel came from pip's restored cache
        // Nothing new to save: the same pip cache came from that entry.
        expect(second.result.stdout).toMatch(
          /Not saving the virtualenv: .*pip's cache came from pyci-pip-/,
        );
      } finally {
        await index.stop();
      }
    },
  );

  it.concurrent('a value that is not a size is an input error', async () => {
    const result = await run(workspaceFrom('cache-basic'), { 'cache-max-size': 'two gigs' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^Input cache-max-size must be a size such as 500M, 2G/);
    expect(result.outputs.deploy).toBe('false');
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
