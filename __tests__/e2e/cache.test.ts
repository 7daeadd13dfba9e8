/**
 * The dependency cache through the real bundle (dist/index.js): the local backend (`cache-dir`)
 * hit and miss, what changes the key, a corrupted entry, a tool cache folder whose interpreter changed
 * under it, `cache: pip` (`cache: none` is in dependencies.test.ts, whose runs all use it), the events that must not save, a failing test run
 * that still saves; then GitHub's backend against the local stand-in for the cache service
 * (Azurite as blob store), so @actions/cache's own upload and download code runs.
 *
 * Independent chains run concurrently (each has its own workspace, tool cache and cache dir):
 * most of their time is spent waiting on pip.
 */
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchive } from '../../src/deps/cache/archive.js';
import { useCacheServer } from '../support/cache-server.js';
import { serveWheels } from '../support/wheel-server.js';
import { expectCleanFailure } from '../support/assertions.js';
import { workspaceFrom } from '../support/fixtures.js';
import { runAction, type EventContext, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, machineArch, pyenvPrefix, pyenvVersions } from '../../tools/toolcache.js';

jest.setTimeout(300_000);

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-cache-'));
/** Inside `root`, so the default cache directory (next to the tool cache) is ours to watch. */
const toolCache = join(root, 'tool-cache');
layoutToolCache(toolCache, [pyenvVersions().find((v) => v.startsWith('3.11.'))!]);
const defaultCacheDir = join(root, 'pyci-cache');

interface Options {
  workspace: string;
  cacheDir?: string;
  event?: EventContext;
  env?: Record<string, string>;
  toolCache?: string;
}

/** The local cache's key file: in our temp root, not in the machine's home folder. */
const keyFile = join(root, 'key/cache-hmac.key');

function run(options: Options, inputs: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    workspace: options.workspace,
    toolCache: options.toolCache ?? toolCache,
    event: options.event,
    // Every run here restores from the cache, as on a hosted runner: no venv is reused in place
    // (that is cache-in-place.test.ts).
    env: { PYCI_CACHE_KEY_FILE: keyFile, RUNNER_ENVIRONMENT: 'github-hosted', ...options.env },
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      ...(options.cacheDir ? { 'cache-dir': options.cacheDir } : {}),
      ...inputs,
    },
  });
}

/** Entries of a local cache directory: file names, temp files excluded. */
/** The files of the venv's (or pip's) entries; push runs also record a results entry there. */
function entries(cacheDir: string): string[] {
  return existsSync(cacheDir)
    ? readdirSync(cacheDir)
        .filter((name) => !name.startsWith('.') && !name.startsWith('pyci-results-'))
        .sort()
    : [];
}

function pipCommands(result: RunResult): string[] {
  return result.stdout.split('\n').filter((line) => /^\[command\].* -m pip install /.test(line));
}

function expectGreen(result: RunResult): void {
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ tests: '1', passed: '1' });
}

const KEY = /^pyci-venv-Linux-.+-x64-cpython3\.11\.\d+-[0-9a-f]{8}-[0-9a-f]{32}$/;

describe('local backend (cache-dir)', () => {
  it.concurrent(
    'miss then hit at the same path; the key follows files, includes and inputs; events that must not save',
    async () => {
      const workspace = workspaceFrom('cache-basic');
      const cacheDir = mkdtempSync(join(root, 'cache-'));

      const cold = await run({ workspace, cacheDir });
      expectGreen(cold);
      expect(cold.outputs['cache-hit']).toBe('false');
      const key = cold.outputs['cache-key'];
      expect(key).toMatch(KEY);
      expect(cold.stdout).toContain(`No cache entry for ${key}; installing.`);
      expect(cold.stdout).toMatch(/Saved .*\.venv to the local cache/);
      const saved = entries(cacheDir);
      // The archive, its checksum file, its authentication record, its hard-link tree and the
      // tree's manifest (cache-tree.test.ts).
      expect(saved).toHaveLength(5);
      expect(saved.some((name) => name.endsWith('.sha256'))).toBe(true);
      expect(saved.some((name) => name.endsWith('.auth'))).toBe(true);

      const warm = await run({ workspace, cacheDir });
      expectGreen(warm);
      expect(warm.outputs['cache-hit']).toBe('true');
      expect(warm.outputs['cache-key']).toBe(key);
      expect(warm.stdout).toContain(
        `Restored the virtualenv from the local cache (${key}); nothing to install.`,
      );
      expect(pipCommands(warm)).toEqual([]);
      expect(warm.stdout).not.toMatch(/^Installing /m);
      // Nothing saved after a hit; the restore is recorded as the entry's last use (pruning).
      const used = saved.find((name) => name.endsWith('.sha256'))!.replace(/\.sha256$/, '.used');
      expect(entries(cacheDir)).toEqual([...saved, used].sort());
      saved.push(used);
      saved.sort();

      // Each change below gives a new key, on an event that must not save: nothing is written.
      const original = {
        base: readFileSync(join(workspace, 'requirements-base.txt'), 'utf8'),
        top: readFileSync(join(workspace, 'requirements.txt'), 'utf8'),
      };
      const changes: [string, () => void, Record<string, string>, EventContext, RegExp][] = [
        [
          'an included file',
          () => appendFileSync(join(workspace, 'requirements-base.txt'), 'idna\n'),
          {},
          { name: 'pull_request_target' },
          /Not saving the cache on pull_request_target: .*poison/,
        ],
        [
          'the requirements file',
          () => appendFileSync(join(workspace, 'requirements.txt'), '# a comment\n'),
          {},
          { name: 'workflow_run' },
          /Not saving the cache on workflow_run: .*cache-poisoning/,
        ],
        [
          'the packages input',
          () => undefined,
          { packages: 'idna' },
          { name: 'release', ref: 'refs/tags/v1' },
          /Not saving the cache on release: /,
        ],
        [
          'the cache-key-suffix input',
          () => undefined,
          { 'cache-key-suffix': 'tagged' },
          { name: 'push', ref: 'refs/tags/v1' },
          /Not saving the cache for tag v1: /,
        ],
      ];
      const keys = new Set([key]);
      for (const [what, change, inputs, event, why] of changes) {
        writeFileSync(join(workspace, 'requirements-base.txt'), original.base);
        writeFileSync(join(workspace, 'requirements.txt'), original.top);
        change();
        const result = await run({ workspace, cacheDir, event }, inputs);
        expectGreen(result);
        expect({ what, hit: result.outputs['cache-hit'] }).toEqual({ what, hit: 'false' });
        expect(result.outputs['cache-key']).toMatch(/^pyci-venv-/);
        keys.add(result.outputs['cache-key']);
        expect({ what, saidWhy: why.test(result.stdout) }).toEqual({ what, saidWhy: true });
        expect(entries(cacheDir)).toEqual(saved);
      }
      expect(keys.size).toBe(1 + changes.length); // every change gave a key of its own

      // Back to the original files and inputs: the original key, and a hit again.
      writeFileSync(join(workspace, 'requirements-base.txt'), original.base);
      writeFileSync(join(workspace, 'requirements.txt'), original.top);

      // A corrupted archive: a warning and a fresh install, never a failure; the entry is replaced.
      const archive = saved.find((name) => /\.tar(\.zst)?$/.test(name))!;
      const bytes = readFileSync(join(cacheDir, archive));
      for (let i = Math.floor(bytes.length / 2); i < bytes.length / 2 + 64; i++) bytes[i] ^= 0xff;
      writeFileSync(join(cacheDir, archive), bytes);
      // A restore from the entry's hard-link tree does not read the archive: without the tree
      // (as on another file system) the archive is unpacked, and its checksum checked.
      for (const name of saved.filter((n) => /\.tree(\.json)?$/.test(n)))
        rmSync(join(cacheDir, name), { recursive: true });
      const corrupted = await run({ workspace, cacheDir });
      expectGreen(corrupted);
      expect(corrupted.outputs['cache-key']).toBe(key);
      expect(corrupted.outputs['cache-hit']).toBe('false');
      expect(corrupted.warnings).toEqual([
        expect.stringMatching(/corrupted|could not be unpacked/),
      ]);
      expect(pipCommands(corrupted).length).toBeGreaterThan(0);
      expect(corrupted.stdout).toMatch(/Saved .*\.venv to the local cache/);

      const healed = await run({ workspace, cacheDir });
      expectGreen(healed);
      expect(healed.outputs['cache-hit']).toBe('true');
      expect(healed.warnings).toEqual([]);
    },
  );

  it.concurrent(
    'a failing test run still saves; a tool cache folder whose interpreter was replaced is refused',
    async () => {
      // A tool cache of our own whose 3.11 folder is a symlink we can re-point.
      const ownToolCache = join(root, 'own-tool-cache');
      const [v311] = layoutToolCache(ownToolCache, [
        pyenvVersions().find((v) => v.startsWith('3.11.'))!,
      ]);
      const other = pyenvVersions().find((v) => v.startsWith('3.12.'))!;
      const entry = join(ownToolCache, 'Python', v311, machineArch());
      const workspace = workspaceFrom('cache-basic');
      writeFileSync(
        join(workspace, 'tests/test_broken.py'),
        'def test_broken():\n    assert 1 + 1 == 3\n',
      );
      const cacheDir = mkdtempSync(join(root, 'cache-'));

      const failing = await run({ workspace, cacheDir, toolCache: ownToolCache });
      expect(failing.exitCode).toBe(1);
      expect(failing.outputs).toMatchObject({ failed: '1', 'cache-hit': 'false' });
      expect(entries(cacheDir)).toHaveLength(5); // saved right after install, before pytest

      // 3.11 disappears from behind its tool-cache folder; the folder now holds another build
      // (here pyenv's 3.12: only our symlink changes, pyenv is untouched). The Python stage
      // probes the folder before use and refuses it, so no venv is restored on it. (The
      // restored venv's own check, "its interpreter is Python X, not Y", is still there for
      // interpreters that change under other sources: __tests__/deps/cache/verify-hash.test.ts.)
      rmSync(entry);
      symlinkSync(pyenvPrefix(other), entry, 'dir');
      const after = await run({ workspace, cacheDir, toolCache: ownToolCache });
      expect(after.exitCode).toBe(1);
      expect(after.warnings).toEqual([
        `${entry} holds Python ${other}, not ${v311} as its folder says; ignoring it. Remove that folder or reinstall Python ${v311} there.`,
      ]);
      expect(after.errors).toEqual([
        expect.stringMatching(/^python-version "3\.11" is not available for /),
      ]);
      expect(after.outputs['cache-hit']).toBeUndefined(); // nothing restored
      expect(after.outputs.deploy).toBe('false');
    },
  );
});

describe('local cache entries are authenticated', () => {
  it.concurrent(
    "an archive a pull request's test planted (with a matching .sha256) is refused on the next push",
    async () => {
      const workspace = workspaceFrom('cache-basic');
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      const cold = await run({ workspace, cacheDir });
      expectGreen(cold);
      const archiveName = entries(cacheDir).find((name) => /\.tar(\.zst)?$/.test(name))!;
      const checksumName = entries(cacheDir).find((name) => name.endsWith('.sha256'))!;

      // What a test running as the runner's user can do: pack a venv with a payload, put it in
      // place of the entry's archive and write its checksum in sha256sum format.
      const planted = join(mkdtempSync(join(root, 'planted-')), 'venv');
      cpSync(join(workspace, '.venv'), planted, { recursive: true, verbatimSymlinks: true });
      const site = readdirSync(join(planted, 'lib'))[0];
      // The payload leaves a mark wherever the venv's python starts (a .pth line runs at startup).
      const mark = join(root, `planted-ran-${Date.now()}`);
      writeFileSync(
        join(planted, 'lib', site, 'site-packages', 'zz_planted.pth'),
        `import os; open(${JSON.stringify(mark)}, "a").close()\n`,
      );
      rmSync(join(cacheDir, archiveName));
      const compression = archiveName.endsWith('.zst') ? 'zstd' : 'none';
      const sum = await createArchive(planted, compression, join(cacheDir, archiveName));
      writeFileSync(join(cacheDir, checksumName), `${sum}  ${archiveName}\n`);

      const next = await run({ workspace, cacheDir });
      expectGreen(next);
      expect(next.outputs['cache-hit']).toBe('false');
      expect(next.warnings).toEqual([
        expect.stringMatching(
          /^Refusing cache entry pyci-venv-.*: its authentication code does not match/,
        ),
      ]);
      expect(existsSync(mark)).toBe(false);
      // The fresh install saved a good entry again.
      const healed = await run({ workspace, cacheDir });
      expectGreen(healed);
      expect(healed.outputs['cache-hit']).toBe('true');
      expect(existsSync(mark)).toBe(false);
    },
  );

  it.concurrent(
    'a push never restores an entry an untrusted event (issue_comment) saved',
    async () => {
      const workspace = workspaceFrom('cache-basic');
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      const comment = await run({ workspace, cacheDir, event: { name: 'issue_comment' } });
      expectGreen(comment);
      expect(entries(cacheDir).length).toBeGreaterThan(0);
      const push = await run({ workspace, cacheDir });
      expectGreen(push);
      expect(push.outputs['cache-hit']).toBe('false');
      expect(push.warnings).toEqual([
        expect.stringMatching(
          /written by a issue_comment run, and this trusted run only takes entries written by trusted events/,
        ),
      ]);
      // An untrusted run may still take what a trusted one wrote.
      const again = await run({ workspace, cacheDir, event: { name: 'issue_comment' } });
      expect(again.outputs['cache-hit']).toBe('true');
    },
  );
});

describe('local paths in requirements', () => {
  it.concurrent(
    'a changed ./mylib is a cache miss: the tests see the new code, not the cached copy',
    async () => {
      const workspace = workspaceFrom('cache-local-lib');
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      const first = await run({ workspace, cacheDir });
      expectGreen(first);
      const warm = await run({ workspace, cacheDir });
      expectGreen(warm);
      expect(warm.outputs['cache-hit']).toBe('true');

      // A regression in the library: a restored venv would still hold the old copy and pass.
      writeFileSync(
        join(workspace, 'mylib/src/mylib/__init__.py'),
        'def answer():\n    return 41\n',
      );
      const changed = await run({ workspace, cacheDir });
      expect(changed.outputs['cache-hit']).toBe('false');
      expect(changed.outputs['cache-key']).not.toBe(first.outputs['cache-key']);
      expect(changed.exitCode).toBe(1);
      expect(changed.outputs).toMatchObject({ tests: '1', failed: '1' });

      // Build outputs in the library do not change the key.
      writeFileSync(
        join(workspace, 'mylib/src/mylib/__init__.py'),
        'def answer():\n    return 42\n',
      );
      mkdirSync(join(workspace, 'mylib/build/lib'), { recursive: true });
      writeFileSync(join(workspace, 'mylib/build/lib/junk.py'), 'x = 1\n');
      const back = await run({ workspace, cacheDir });
      expectGreen(back);
      expect(back.outputs['cache-key']).toBe(first.outputs['cache-key']);
      expect(back.outputs['cache-hit']).toBe('true');
    },
  );
});

describe('cache modes', () => {
  it.concurrent('cache: pip with nothing downloaded saves nothing, without a warning', async () => {
    // pip caches nothing: our machines' file:// indexes would see to that alone, but on GitHub's
    // runners pip downloads from PyPI, and caches those.
    const cacheDir = mkdtempSync(join(root, 'cache-'));
    const result = await run(
      { workspace: workspaceFrom('cache-basic'), cacheDir },
      { cache: 'pip', 'pip-args': '--no-cache-dir' },
    );
    expectGreen(result);
    expect(result.outputs['cache-key']).toMatch(/^pyci-pip-Linux-/);
    expect(result.warnings).toEqual([]);
    expect(result.stdout).toMatch(/Not saving the cache: .*pyci-pip-cache is empty/);
    expect(entries(cacheDir)).toEqual([]);
  });

  it.concurrent(
    "cache: pip saves pip's cache and restores it: the second run installs from it",
    async () => {
      // pip caches only HTTP(S) downloads with cache headers, never files from a local index,
      // so the wheels are served over HTTP from 127.0.0.1, the way an index serves them.
      const wheels = mkdtempSync(join(root, 'wheels-'));
      const python = join(
        pyenvPrefix(pyenvVersions().find((v) => v.startsWith('3.11.'))!),
        'bin/python',
      );
      execFileSync(
        python,
        ['-m', 'pip', 'download', '-q', '-d', wheels, 'pip', 'six', 'iniconfig', 'pytest'],
        {
          env: { ...process.env, PIP_RETRIES: '0' },
          stdio: 'pipe',
        },
      );
      const index = await serveWheels(wheels);
      try {
        const workspace = workspaceFrom('cache-basic');
        const cacheDir = mkdtempSync(join(root, 'cache-'));
        // The pip cache lives in RUNNER_TEMP, which the runner keeps at one path and empties
        // between jobs: the same here.
        const runnerTemp = join(root, 'pip-mode-runner-temp');
        const inputs = {
          cache: 'pip',
          'pip-args': `--no-index --trusted-host 127.0.0.1 --find-links ${index.url}`,
        };
        const runPip = async () => {
          rmSync(runnerTemp, { recursive: true, force: true });
          mkdirSync(runnerTemp);
          const before = index.wheelGets.length;
          const result = await run(
            { workspace, cacheDir, env: { RUNNER_TEMP: runnerTemp } },
            inputs,
          );
          return { result, downloads: index.wheelGets.slice(before) };
        };

        const first = await runPip();
        expectGreen(first.result);
        const key = first.result.outputs['cache-key'];
        expect(key).toMatch(/^pyci-pip-Linux-/);
        expect(first.result.outputs['cache-hit']).toBe('false');
        expect(first.downloads.length).toBeGreaterThanOrEqual(4);
        expect(first.result.stdout).toMatch(/Saved .*pyci-pip-cache to the local cache/);
        expect(entries(cacheDir)).toHaveLength(3);

        const second = await runPip();
        expectGreen(second.result);
        expect(second.result.outputs['cache-key']).toBe(key);
        // A pip cache hit is not an environment hit: pip still installs, from its cache.
        expect(second.result.outputs['cache-hit']).toBe('false');
        expect(second.result.stdout).toMatch(/Restored .*pyci-pip-cache from the local cache/);
        expect(pipCommands(second.result).length).toBeGreaterThan(0);
        expect(second.result.stdout).toMatch(/Using cached six-/);
        expect(second.downloads).toEqual([]); // not one wheel fetched again
      } finally {
        await index.stop();
      }
    },
  );
});

describe('GitHub backend through the stand-in cache service', () => {
  const server = useCacheServer();

  it('saves on a miss and restores on the next run (no cache-dir)', async () => {
    const workspace = workspaceFrom('cache-basic');
    const env = server().env;

    const cold = await run({ workspace, env });
    expectGreen(cold);
    const key = cold.outputs['cache-key'];
    expect(key).toMatch(KEY);
    expect(cold.outputs['cache-hit']).toBe('false');
    expect(cold.stdout).toContain(
      `Saved ${join(workspace, '.venv')} to the github cache as ${key}.`,
    );
    expect(server().entries()).toContainEqual(expect.objectContaining({ key, finalized: true }));

    const warm = await run({ workspace, env });
    expectGreen(warm);
    expect(warm.outputs['cache-hit']).toBe('true');
    expect(warm.outputs['cache-key']).toBe(key);
    expect(warm.stdout).toContain(
      `Restored the virtualenv from the github cache (${key}); nothing to install.`,
    );
    expect(pipCommands(warm)).toEqual([]);
    expect(warm.warnings).toEqual([]);
    expect(server().calls).toEqual(
      expect.arrayContaining([
        'CreateCacheEntry',
        'FinalizeCacheEntryUpload',
        'GetCacheEntryDownloadURL',
      ]),
    );
    // The blob went through the proxy to Azurite: an upload, then a (ranged) download.
    expect(server().blobRequests.map((r) => r.method)).toEqual(
      expect.arrayContaining(['PUT', 'GET']),
    );
    // Nothing fell back to the local backend.
    expect(existsSync(defaultCacheDir)).toBe(false);
  });
});

describe('a cache service that accepts connections and never answers', () => {
  it.concurrent(
    'restore and save each give up after cache-timeout with a warning; the step passes and ends',
    async () => {
      // Holds every connection open without a byte of reply, like a wedged proxy.
      const sockets = new Set<Socket>();
      const stalled = createNetServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolveListen) => stalled.listen(0, '127.0.0.1', resolveListen));
      const url = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/`;
      try {
        const started = Date.now();
        const result = await run(
          {
            workspace: workspaceFrom('cache-basic'),
            env: {
              ACTIONS_CACHE_SERVICE_V2: 'true',
              ACTIONS_RESULTS_URL: url,
              ACTIONS_CACHE_URL: url,
              ACTIONS_RUNTIME_TOKEN: 'stalled-test-token',
            },
          },
          { 'cache-timeout': '3' },
        );
        expectGreen(result);
        expect(result.outputs['cache-hit']).toBe('false');
        expect(result.warnings).toEqual([
          expect.stringMatching(
            /^Restoring cache pyci-venv-.* from the github cache took longer than 3 s \(cache-timeout\); installing afresh\.$/,
          ),
          expect.stringMatching(
            /^Saving cache pyci-venv-.* to the github cache took longer than 3 s \(cache-timeout\); going on without saving\.$/,
          ),
        ]);
        // The process ended on its own while the connections were still held open.
        expect(sockets.size).toBeGreaterThan(0);
        expect(Date.now() - started).toBeLessThan(120_000);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolveClose) => stalled.close(() => resolveClose()));
      }
    },
  );

  it.concurrent(
    'after a save, the local directory is pruned to cache-local-max-size, least recently used first',
    async () => {
      const workspace = workspaceFrom('cache-basic');
      const cacheDir = mkdtempSync(join(root, 'cache-'));
      // Two entries of other keys (30 MB each), as earlier runs left them; "older" used longest ago.
      const other = (name: string, hoursAgo: number) => {
        const base = `pyci-venv-${name}-0123456789abcdef`;
        const files = [`${base}.sha256`, `${base}.0123456789ab.tar`, `${base}.0123456789ab.auth`];
        writeFileSync(join(cacheDir, files[1]), Buffer.alloc(30 * 1024 * 1024));
        writeFileSync(join(cacheDir, files[2]), '{}');
        writeFileSync(join(cacheDir, files[0]), `${'0'.repeat(64)}  ${files[1]}\n`);
        const when = new Date(Date.now() - hoursAgo * 3600_000);
        for (const file of files) utimesSync(join(cacheDir, file), when, when);
        return files;
      };
      const older = other('older', 5);
      const newer = other('newer', 1);

      // The new entry counts its hard-link tree (the venv's size) too: about 40 MB in all.
      const cold = await run({ workspace, cacheDir }, { 'cache-local-max-size': '80M' });
      expectGreen(cold);
      expect(cold.stdout).toMatch(/Saved .*\.venv to the local cache/);
      expect(cold.stdout).toMatch(
        /Pruned 1 least recently used entry \(30 MB\) from the local cache .* to stay under cache-local-max-size \(80 MB\)\./,
      );
      const left = entries(cacheDir);
      expect(older.filter((file) => left.includes(file))).toEqual([]);
      expect(newer.every((file) => left.includes(file))).toBe(true);
      expect(
        left.filter((file) => file.startsWith(cold.outputs['cache-key'].slice(0, 40))),
      ).toHaveLength(5);

      // The entry just saved is restored by the next run.
      const warm = await run({ workspace, cacheDir }, { 'cache-local-max-size': '80M' });
      expectGreen(warm);
      expect(warm.outputs['cache-hit']).toBe('true');
    },
  );

  it.concurrent('cache-local-max-size must be a size', async () => {
    const result = await run(
      { workspace: workspaceFrom('cache-basic') },
      { 'cache-local-max-size': '10 gigs' },
    );
    expectCleanFailure(result);
    expect(result.errors).toEqual([
      'Input cache-local-max-size must be a size such as 500M, 2G or a number of bytes (K, M, G, T are powers of 1024), got "10 gigs".',
    ]);
    expect(result.outputs.deploy).toBe('false');
  });

  it.concurrent('cache-timeout must be whole seconds', async () => {
    const result = await run(
      { workspace: workspaceFrom('cache-basic') },
      { 'cache-timeout': '5m' },
    );
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^cache-timeout "5m" is not a whole number of seconds from 1 to 21600/,
    );
    expect(result.outputs.deploy).toBe('false');
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
