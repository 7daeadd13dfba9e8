/** The local cache directory as a store: newest entry by prefix, the entry lock, pruning. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchive } from '../../../src/deps/cache/archive.js';
import {
  classifyName,
  entryFileNames,
  parseChecksumFile,
} from '../../../src/deps/cache/local-layout.js';
import { isStale, tryLock, type HeldLock } from '../../../src/deps/cache/local-lock.js';
import { evictionOrder } from '../../../src/deps/cache/local-prune.js';
import { LocalCacheBackend, type LocalCacheOptions } from '../../../src/deps/cache/local.js';
import { recordingLog } from '../../support/venv-fixtures.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pyci-local-store-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const secret = Buffer.alloc(32, 7);
const trusted = { secret, run: { event: 'push', trusted: true } };
const untrusted = { secret, run: { event: 'issue_comment', trusted: false } };

function backend(cacheDir: string, options: LocalCacheOptions = {}) {
  const log = recordingLog();
  return {
    log,
    cache: new LocalCacheBackend(cacheDir, { log, compression: 'none', auth: trusted, ...options }),
  };
}

/** A directory of `bytes` random (incompressible) bytes. */
function payload(name: string, bytes = 1024): string {
  const dir = join(scratch, 'src', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.bin'), randomBytes(bytes));
  writeFileSync(join(dir, 'name.txt'), name);
  return dir;
}

/** The lock taken, or the test fails here. */
function held(result: Awaited<ReturnType<typeof tryLock>>): HeldLock {
  if (!('lock' in result)) throw new Error(`lock held by ${JSON.stringify(result.heldBy)}`);
  return result.lock;
}

function pointerOf(cacheDir: string, key: string) {
  const names = entryFileNames(key);
  const pointer = parseChecksumFile(
    readFileSync(join(cacheDir, names.checksum), 'utf8'),
    names.base,
  );
  if (!pointer || 'legacy' in pointer) throw new Error(`no entry for ${key}`);
  return pointer;
}

describe('newestKeyWithPrefix', () => {
  test('the most recently saved key with the prefix, across hashed file names', async () => {
    const cacheDir = join(scratch, 'newest');
    const { cache, log } = backend(cacheDir);
    const long = `pyci-venv-A-${'x'.repeat(300)}`; // its file name keeps only part of it
    for (const key of ['pyci-venv-A-1', long, 'pyci-venv-A-2', 'pyci-venv-B-1']) {
      expect(await cache.save(key, [payload(key.slice(0, 20))])).toBe(true);
      await new Promise((r) => setTimeout(r, 5)); // distinct save times
    }
    expect(await cache.newestKeyWithPrefix('pyci-venv-A-')).toBe('pyci-venv-A-2');
    expect(await cache.newestKeyWithPrefix('pyci-venv-')).toBe('pyci-venv-B-1');
    expect(await cache.newestKeyWithPrefix(`pyci-venv-A-${'x'.repeat(200)}`)).toBe(long);
    expect(await cache.newestKeyWithPrefix('pyci-pip-')).toBeUndefined();
    expect(log.warnings).toEqual([]);

    // An entry whose archive is gone is not complete: the next newest is the answer.
    rmSync(join(cacheDir, pointerOf(cacheDir, 'pyci-venv-A-2').archive));
    expect(await cache.newestKeyWithPrefix('pyci-venv-A-')).toBe(long);
  });

  test('skips entries that are not authentic, copied under another name, or from untrusted writers', async () => {
    const cacheDir = join(scratch, 'newest-auth');
    const { cache } = backend(cacheDir);
    expect(await cache.save('pyci-venv-C-old', [payload('c-old')])).toBe(true);
    await new Promise((r) => setTimeout(r, 5));

    // Newer, but written with another secret.
    const foreign = backend(cacheDir, { auth: { ...trusted, secret: Buffer.alloc(32, 9) } });
    expect(await foreign.cache.save('pyci-venv-C-foreign', [payload('c-foreign')])).toBe(true);
    // Newer, but saved by an untrusted event: a trusted run would refuse it.
    const pr = backend(cacheDir, { auth: untrusted });
    expect(await pr.cache.save('pyci-venv-C-untrusted', [payload('c-untrusted')])).toBe(true);
    // Newer, but a record with a forged time: the MAC covers it.
    expect(await cache.save('pyci-venv-C-forged', [payload('c-forged')])).toBe(true);
    const forged = pointerOf(cacheDir, 'pyci-venv-C-forged');
    const record = JSON.parse(readFileSync(join(cacheDir, forged.auth), 'utf8')) as {
      written: number;
    };
    writeFileSync(
      join(cacheDir, forged.auth),
      JSON.stringify({ ...record, written: record.written + 10_000 }),
    );
    // An authentic entry's files copied under another key's name do not count for that key.
    const old = pointerOf(cacheDir, 'pyci-venv-C-old');
    const copy = entryFileNames('pyci-venv-C-copy').base;
    const generation = old.generation;
    writeFileSync(
      join(cacheDir, `${copy}.${generation}.tar`),
      readFileSync(join(cacheDir, old.archive)),
    );
    writeFileSync(
      join(cacheDir, `${copy}.${generation}.auth`),
      readFileSync(join(cacheDir, old.auth)),
    );
    writeFileSync(join(cacheDir, `${copy}.sha256`), `${old.sha256}  ${copy}.${generation}.tar\n`);

    expect(await cache.newestKeyWithPrefix('pyci-venv-C-')).toBe('pyci-venv-C-old');
    // The untrusted run itself may start from the untrusted entry (restore would take it).
    expect(await pr.cache.newestKeyWithPrefix('pyci-venv-C-')).toBe('pyci-venv-C-untrusted');
  });

  test('a directory that does not exist has no entries', async () => {
    expect(
      await backend(join(scratch, 'nowhere')).cache.newestKeyWithPrefix('pyci-'),
    ).toBeUndefined();
  });
});

describe('entry lock', () => {
  test('one holder at a time; released, it can be taken again', async () => {
    const path = join(scratch, 'lock-basic.lock');
    const first = held(await tryLock(path));
    const second = await tryLock(path);
    expect(second).toEqual({
      heldBy: expect.objectContaining({ pid: process.pid, host: hostname() }),
    });
    expect(await first.stillHeld()).toBe(true);
    await first.release();
    expect(existsSync(path)).toBe(false);
    await held(await tryLock(path)).release();
  });

  test('stale: holder gone on this host, too old, or ownerless for a minute', async () => {
    const path = join(scratch, 'lock-stale.lock');
    mkdirSync(path);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const base = { host: hostname(), since: Date.now(), token: 't' };
    expect(await isStale(path, { ...base, pid: gone })).toBe(true);
    expect(await isStale(path, { ...base, pid: process.pid })).toBe(false);
    expect(
      await isStale(path, { ...base, pid: process.pid, since: Date.now() - 2 * 3600_000 }),
    ).toBe(true);
    // On another host the pid says nothing: only the age counts.
    expect(await isStale(path, { ...base, host: 'elsewhere', pid: gone })).toBe(false);
    expect(await isStale(path, undefined)).toBe(false);
    expect(await isStale(path, undefined, undefined, () => Date.now() + 120_000)).toBe(true);

    // A stale lock is broken and taken over; the old holder then knows it lost it.
    writeFileSync(join(path, 'owner.json'), JSON.stringify({ ...base, pid: gone }));
    await held(await tryLock(path)).release();
    expect(readdirSync(scratch).filter((name) => name.startsWith('.tmp-lock-'))).toEqual([]);
  });

  test('a save finds the key locked by a live run: it stands aside, with an info line', async () => {
    const cacheDir = join(scratch, 'lock-save');
    mkdirSync(cacheDir, { recursive: true });
    const busy = held(await tryLock(join(cacheDir, entryFileNames('pyci-venv-busy').lock)));
    const { cache, log } = backend(cacheDir);
    expect(await cache.save('pyci-venv-busy', [payload('busy')])).toBe(false);
    expect(log.warnings).toEqual([]);
    expect(log.infos).toEqual([
      expect.stringMatching(
        /^Another run holds the lock of cache entry pyci-venv-busy \(pid \d+ on /,
      ),
    ]);
    expect(existsSync(join(cacheDir, entryFileNames('pyci-venv-busy').checksum))).toBe(false);
    await busy.release();
    expect(await cache.save('pyci-venv-busy', [payload('busy')])).toBe(true);
    // The lock is gone after the save, and only one generation is kept.
    expect(readdirSync(cacheDir).filter((n) => classifyName(n)?.role === 'lock')).toEqual([]);
    expect(await cache.save('pyci-venv-busy', [payload('busy')])).toBe(true);
    expect(
      readdirSync(cacheDir).filter((n) => classifyName(n)?.role === 'generation'),
    ).toHaveLength(2); // archive + record
  });
});

describe('restore of an entry with a file missing', () => {
  test('the archive the pointer names is gone (and the pointer did not change): a warning and a miss', async () => {
    const cacheDir = join(scratch, 'missing-archive');
    const { cache, log } = backend(cacheDir);
    expect(await cache.save('pyci-venv-gone', [payload('gone')])).toBe(true);
    rmSync(join(cacheDir, pointerOf(cacheDir, 'pyci-venv-gone').archive));
    const target = join(scratch, 'missing-archive-target');
    expect(await cache.restore('pyci-venv-gone', [target])).toBeUndefined();
    expect(log.warnings).toEqual([
      expect.stringMatching(
        /^Cache entry pyci-venv-gone in .* has no archive pyci-venv-gone-[0-9a-f]{16}\.[0-9a-f]{12}\.tar; installing afresh/,
      ),
    ]);
    expect(existsSync(target)).toBe(false);
  });
});

describe('entries of the layout before generations', () => {
  test('are a quiet miss, and the next save removes them', async () => {
    const cacheDir = join(scratch, 'legacy');
    mkdirSync(cacheDir, { recursive: true });
    const names = entryFileNames('pyci-venv-legacy');
    const sum = await createArchive(payload('legacy'), 'none', join(cacheDir, `${names.base}.tar`));
    writeFileSync(join(cacheDir, names.checksum), `${sum}  ${names.base}.tar\n`);
    writeFileSync(join(cacheDir, `${names.base}.auth`), '{"version":1}\n');
    const { cache, log } = backend(cacheDir);
    const target = join(scratch, 'legacy-target');
    expect(await cache.restore('pyci-venv-legacy', [target])).toBe(undefined);
    expect(log.warnings).toEqual([]);
    expect(log.infos).toEqual([expect.stringMatching(/saved by an earlier version of the action/)]);
    expect(await cache.save('pyci-venv-legacy', [payload('legacy')])).toBe(true);
    expect(readdirSync(cacheDir).filter((n) => classifyName(n)?.role === 'legacy')).toEqual([]);
    expect(await cache.restore('pyci-venv-legacy', [target])).toBe('pyci-venv-legacy');
  });
});

describe('pruning to cache-local-max-size', () => {
  test('the order: least recently used first, never the entry just saved', () => {
    const entry = (base: string, lastUsed: number) => ({
      base,
      lastUsed,
      bytes: 1,
      files: [],
      trees: { names: [], bytes: 0 },
    });
    expect(
      evictionOrder([entry('a', 30), entry('b', 10), entry('c', 20), entry('d', 5)], 'd').map(
        (e) => e.base,
      ),
    ).toEqual(['b', 'c', 'a']);
  });

  test('after a save, least recently restored entries go until the directory fits', async () => {
    const cacheDir = join(scratch, 'prune');
    const KB = 1024;
    const filler = backend(cacheDir);
    for (const key of ['pyci-venv-p1', 'pyci-venv-p2', 'pyci-venv-p3', 'pyci-venv-p4']) {
      expect(await filler.cache.save(key, [payload(key, 200 * KB)])).toBe(true);
    }
    // Last uses: p2 long ago, p1 a while ago, p3 restored just now, p4 saved an hour ago.
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    for (const [key, when] of [
      ['pyci-venv-p1', hoursAgo(5)],
      ['pyci-venv-p2', hoursAgo(9)],
      ['pyci-venv-p3', hoursAgo(8)],
      ['pyci-venv-p4', hoursAgo(1)],
    ] as const) {
      utimesSync(join(cacheDir, entryFileNames(key).checksum), when, when);
    }
    const restored = join(scratch, 'prune-restored');
    expect(await filler.cache.restore('pyci-venv-p3', [restored])).toBe('pyci-venv-p3');
    expect(existsSync(join(cacheDir, entryFileNames('pyci-venv-p3').used))).toBe(true);
    // p1 is being saved by another run right now: its lock protects it.
    const saving = held(await tryLock(join(cacheDir, entryFileNames('pyci-venv-p1').lock)));
    // Leftovers: an old temp file goes whatever the size; files that are not ours stay.
    writeFileSync(join(cacheDir, '.tmp-old.tar'), 'x');
    utimesSync(join(cacheDir, '.tmp-old.tar'), hoursAgo(48), hoursAgo(48));
    writeFileSync(join(cacheDir, 'README'), 'not an entry');

    // Room for about three entries of ~200 kB: the new one, and two of the four others.
    const { cache, log } = backend(cacheDir, { maxBytes: 650 * KB });
    expect(await cache.save('pyci-venv-new', [payload('new', 200 * KB)])).toBe(true);

    const left = new Set(readdirSync(cacheDir).map((n) => classifyName(n)?.base));
    const has = (key: string) => left.has(entryFileNames(key).base);
    // p2 (used longest ago) went first; p1 was locked, so p4 went next; p3 was restored just now.
    expect(['p1', 'p2', 'p3', 'p4', 'new'].map((k) => has(`pyci-venv-${k}`))).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(existsSync(join(cacheDir, '.tmp-old.tar'))).toBe(false);
    expect(existsSync(join(cacheDir, 'README'))).toBe(true);
    expect(log.warnings).toEqual([]);
    expect(log.infos).toContainEqual(
      expect.stringMatching(
        /^Pruned 2 least recently used entries \(0\.\d MB\) from the local cache/,
      ),
    );
    const total = readdirSync(cacheDir)
      .filter((n) => classifyName(n) && classifyName(n)?.role !== 'lock')
      .reduce((sum, n) => sum + statSync(join(cacheDir, n)).size, 0);
    expect(total).toBeLessThanOrEqual(650 * KB);
    await saving.release();
  });

  test('an entry alone over the limit is kept, with an info line; no limit prunes nothing', async () => {
    const cacheDir = join(scratch, 'prune-tiny');
    const { cache, log } = backend(cacheDir, { maxBytes: 1000 });
    expect(await cache.save('pyci-venv-big', [payload('big', 50_000)])).toBe(true);
    expect(await cache.restore('pyci-venv-big', [join(scratch, 'big-restored')])).toBe(
      'pyci-venv-big',
    );
    expect(log.infos).toContainEqual(expect.stringMatching(/over cache-local-max-size/));

    const unlimited = backend(cacheDir);
    expect(await unlimited.cache.save('pyci-venv-big2', [payload('big2', 50_000)])).toBe(true);
    expect(await unlimited.cache.newestKeyWithPrefix('pyci-venv-big')).toBe('pyci-venv-big2');
    expect(existsSync(join(cacheDir, entryFileNames('pyci-venv-big').checksum))).toBe(true);
  });
});
