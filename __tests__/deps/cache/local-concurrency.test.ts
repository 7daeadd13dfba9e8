/**
 * Concurrent runs on one local cache directory, as separate processes (as jobs on a self-hosted
 * runner are): 3 savers and 3 restorers of the same key, 30 rounds each. A restore must never
 * report a corrupted or refused entry because another run was replacing it at that moment, also
 * when it was linking the entry's hard-link tree while a save removed it.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LocalCacheBackend } from '../../../src/deps/cache/local.js';
import { recordingLog } from '../../support/venv-fixtures.js';

const run = promisify(execFile);
const worker = resolve('__tests__/support/local-cache-worker.ts');
const ROUNDS = 30;

interface Round {
  role: string;
  id: string;
  round: number;
  ok: boolean;
  warnings: string[];
  problem: string;
  via: 'tree' | 'archive';
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pyci-local-concurrency-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function start(role: 'save' | 'restore', cacheDir: string, id: string): Promise<Round[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', worker, role, cacheDir, 'pyci-venv-shared', String(ROUNDS), scratch, id],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Round);
}

test('3 concurrent savers and 3 restorers of one key: every restore hits a whole entry, no warnings', async () => {
  const cacheDir = join(scratch, 'cache');
  // A first entry, so that every restore has something to find.
  const seed = join(scratch, 'seed');
  mkdirSync(seed, { recursive: true });
  writeFileSync(join(seed, 'id.txt'), 'seed');
  writeFileSync(join(seed, 'check.txt'), 'seed');
  writeFileSync(join(seed, 'payload.bin'), Buffer.alloc(512 * 1024));
  const log = recordingLog();
  const seeded = await new LocalCacheBackend(cacheDir, {
    log,
    compression: 'none',
    auth: { secret: Buffer.alloc(32, 7), run: { event: 'push', trusted: true } },
  }).save('pyci-venv-shared', [seed]);
  expect(seeded).toBe(true);

  const results = (
    await Promise.all([
      ...['a', 'b', 'c'].map((id) => start('save', cacheDir, id)),
      ...['x', 'y', 'z'].map((id) => start('restore', cacheDir, id)),
    ])
  ).flat();

  const restores = results.filter((r) => r.role === 'restore');
  expect(restores).toHaveLength(3 * ROUNDS);
  const failed = restores.filter((r) => !r.ok || r.problem || r.warnings.length > 0);
  expect(failed).toEqual([]);
  // Half the saves keep a hard-link tree: some restores linked one while savers replaced it.
  expect(restores.some((r) => r.via === 'tree')).toBe(true);
  // Savers either wrote an entry or stood aside for one being written; none warned.
  const saves = results.filter((r) => r.role === 'save');
  expect(saves.flatMap((r) => r.warnings)).toEqual([]);
  expect(saves.some((r) => r.ok)).toBe(true);
}, 300_000);
