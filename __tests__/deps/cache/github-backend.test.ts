/**
 * The GitHub backend against a local stand-in for the cache service with Azurite as blob store:
 * @actions/cache's own tar, upload (Azure SDK) and download (Azure SDK) code runs for real.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubCacheBackend } from '../../../src/deps/cache/github.js';
import { verifyRestoredVenv } from '../../../src/deps/cache/verify.js';
import { startCacheServer, type CacheServer } from '../../support/cache-server.js';
import { makeVenv, recordingLog, systemPython } from '../../support/venv-fixtures.js';

jest.setTimeout(60_000);

let server: CacheServer;
let scratch: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startCacheServer();
  scratch = mkdtempSync(join(tmpdir(), 'pyci-gh-cache-'));
  // The library reads its configuration from the job's environment, as on a runner.
  Object.assign(process.env, server.env, {
    RUNNER_TEMP: join(scratch, 'runner-temp'),
    GITHUB_WORKSPACE: join(scratch, 'workspace'),
  });
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 30_000);

/** The library prints its own warnings as workflow commands; collect them while `run` runs. */
async function capturingStdout<T>(run: () => Promise<T>): Promise<{ result: T; stdout: string }> {
  let stdout = '';
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
  try {
    return { result: await run(), stdout };
  } finally {
    spy.mockRestore();
  }
}

describe('GitHub cache backend through the stand-in service', () => {
  test('saves a real venv and restores it byte for byte at the same path', async () => {
    const python = systemPython();
    const venv = join(scratch, 'workspace', '.venv');
    makeVenv(python.executable, venv);
    writeFileSync(join(venv, 'marker.txt'), 'restored from the cache\n');
    const log = recordingLog();
    const backend = new GithubCacheBackend(log);
    const key = `pyci-venv-test-${Date.now()}-roundtrip`;

    const saved = await capturingStdout(() => backend.save(key, [venv]));
    expect(saved.result).toBe(true);
    const entry = server.entries().find((e) => e.key === key);
    expect(entry?.finalized).toBe(true);
    expect(entry?.sizeBytes).toBeGreaterThan(0);

    rmSync(venv, { recursive: true });
    const blobRequestsBefore = server.blobRequests.length;
    const restored = await capturingStdout(() => backend.restore(key, [venv]));
    // The Azure SDK downloads in ranged segments; a plain GET would mean the library fell back.
    expect(server.blobRequests.slice(blobRequestsBefore)).toContainEqual({
      method: 'GET',
      range: expect.stringMatching(/^bytes=0-/),
    });
    expect(restored.result).toBe(key);
    expect(readFileSync(join(venv, 'marker.txt'), 'utf8')).toBe('restored from the cache\n');
    await expect(verifyRestoredVenv(venv, python.version)).resolves.toBeUndefined();
    expect(server.calls).toEqual(
      expect.arrayContaining([
        'CreateCacheEntry',
        'FinalizeCacheEntryUpload',
        'GetCacheEntryDownloadURL',
      ]),
    );
    expect(log.warnings).toEqual([]);
    rmSync(venv, { recursive: true });
  });

  test('a key never saved is a miss that creates nothing', async () => {
    const target = join(scratch, 'workspace', 'never-saved');
    const backend = new GithubCacheBackend(recordingLog());
    const { result } = await capturingStdout(() =>
      backend.restore(`pyci-venv-test-${Date.now()}-absent`, [target]),
    );
    expect(result).toBeUndefined();
    expect(existsSync(target)).toBe(false);
  });

  test('a miss on the key restores the newest entry of the first restore key that matches', async () => {
    const python = systemPython();
    const dir = join(scratch, 'workspace', 'nearest');
    const stamp = Date.now();
    const backend = new GithubCacheBackend(recordingLog());
    for (const [tail, mark] of [
      ['older', 'old'],
      ['newer', 'new'],
    ]) {
      makeVenv(python.executable, dir);
      writeFileSync(join(dir, 'marker.txt'), mark);
      const saved = await capturingStdout(() =>
        backend.save(`pyci-venv-test-${stamp}-near-${tail}`, [dir]),
      );
      expect(saved.result).toBe(true);
      rmSync(dir, { recursive: true });
    }
    const { result } = await capturingStdout(() =>
      backend.restore(
        `pyci-venv-test-${stamp}-near-absent`,
        [dir],
        [`pyci-venv-test-${stamp}-none-`, `pyci-venv-test-${stamp}-near-`],
      ),
    );
    expect(result).toBe(`pyci-venv-test-${stamp}-near-newer`);
    expect(readFileSync(join(dir, 'marker.txt'), 'utf8')).toBe('new');
    rmSync(dir, { recursive: true });
  });

  test('saving a key that already exists is reported, not thrown', async () => {
    const dir = join(scratch, 'workspace', 'twice');
    makeVenv(systemPython().executable, dir);
    const backend = new GithubCacheBackend(recordingLog());
    const key = `pyci-venv-test-${Date.now()}-twice`;
    expect((await capturingStdout(() => backend.save(key, [dir]))).result).toBe(true);
    const second = await capturingStdout(() => backend.save(key, [dir]));
    expect(second.result).toBe(false);
    expect(second.stdout).toMatch(/Failed to save: Unable to reserve cache with key/);
    rmSync(dir, { recursive: true });
  });

  test('a corrupted blob is a warning and a miss, and leaves nothing behind', async () => {
    const dir = join(scratch, 'workspace', 'corrupt');
    makeVenv(systemPython().executable, dir);
    const backend = new GithubCacheBackend(recordingLog());
    const key = `pyci-venv-test-${Date.now()}-corrupt`;
    expect((await capturingStdout(() => backend.save(key, [dir]))).result).toBe(true);
    rmSync(dir, { recursive: true });
    await server.replaceBlob(key, Buffer.from('these bytes are not a zstd archive'.repeat(100)));

    const restored = await capturingStdout(() => backend.restore(key, [dir]));
    expect(restored.result).toBeUndefined();
    expect(restored.stdout).toMatch(/::warning::Failed to restore/);
    expect(existsSync(dir)).toBe(false);
  });

  test('an unreachable service gives warnings and a miss, never a throw', async () => {
    const dir = join(scratch, 'workspace', 'offline');
    makeVenv(systemPython().executable, dir);
    const reachable = process.env.ACTIONS_RESULTS_URL;
    // A port that was just free: nothing listens there.
    process.env.ACTIONS_RESULTS_URL = `http://127.0.0.1:${await closedPort()}/`;
    try {
      const backend = new GithubCacheBackend(recordingLog());
      const saved = await capturingStdout(() => backend.save('pyci-venv-test-offline', [dir]));
      expect(saved.result).toBe(false);
      expect(saved.stdout).toMatch(/ECONNREFUSED/);
      rmSync(dir, { recursive: true });
      const restored = await capturingStdout(() =>
        backend.restore('pyci-venv-test-offline', [dir]),
      );
      expect(restored.result).toBeUndefined();
      expect(restored.stdout).toMatch(/::warning::Failed to restore.*ECONNREFUSED/);
    } finally {
      process.env.ACTIONS_RESULTS_URL = reachable;
    }
  });

  test('refuses to restore over a directory that has content', async () => {
    const dir = join(scratch, 'workspace', 'occupied');
    makeVenv(systemPython().executable, dir);
    const log = recordingLog();
    const calls = server.calls.length;
    expect(
      await new GithubCacheBackend(log).restore('pyci-venv-test-occupied', [dir]),
    ).toBeUndefined();
    expect(log.warnings.join('\n')).toMatch(/already exists and is not empty/);
    expect(server.calls.length).toBe(calls);
    expect(existsSync(join(dir, 'pyvenv.cfg'))).toBe(true);
    rmSync(dir, { recursive: true });
  });
});

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}
