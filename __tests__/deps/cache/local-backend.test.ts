/** The local directory backend with the system tar (and zstd), on real venvs. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchive, type Compression } from '../../../src/deps/cache/archive.js';
import {
  LocalCacheBackend,
  entryFileNames,
  parseChecksumFile,
} from '../../../src/deps/cache/local.js';
import { verifyRestoredVenv } from '../../../src/deps/cache/verify.js';
import { makeVenv, recordingLog, systemPython } from '../../support/venv-fixtures.js';

/** The archive and record the entry's `.sha256` file names now. */
function currentGeneration(cacheDir: string, key: string): { archive: string; auth: string } {
  const names = entryFileNames(key);
  const pointer = parseChecksumFile(
    readFileSync(join(cacheDir, names.checksum), 'utf8'),
    names.base,
  );
  if (!pointer || 'legacy' in pointer) throw new Error(`no current generation for ${key}`);
  return pointer;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pyci-local-cache-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fixed secret: these tests must not create the key file in the real home folder. */
const auth = { secret: Buffer.alloc(32, 7), run: { event: 'push', trusted: true } };

function freshVenv(name: string): string {
  const venv = join(scratch, name, '.venv');
  makeVenv(systemPython().executable, venv);
  writeFileSync(join(venv, 'marker.txt'), `made for ${name}\n`);
  return venv;
}

describe.each<Compression>(['zstd', 'none'])('local backend, %s archives', (compression) => {
  test('hit: a saved venv comes back whole, at its path, and verifies', async () => {
    const venv = freshVenv(`hit-${compression}`);
    const cacheDir = join(scratch, `cache-${compression}`);
    const log = recordingLog();
    const backend = new LocalCacheBackend(cacheDir, { log, compression, auth });
    const key = `pyci-venv-Linux-test-x64-cpython3.11.7-${compression}-hit`;

    expect(await backend.save(key, [venv])).toBe(true);
    const names = entryFileNames(key);
    const pointer = currentGeneration(cacheDir, key);
    expect(pointer.archive).toMatch(
      new RegExp(
        `^${names.base}\\.[0-9a-f]{12}${compression === 'zstd' ? '\\.tar\\.zst' : '\\.tar'}$`,
      ),
    );
    const files = readdirSync(cacheDir).sort();
    expect(files).toEqual([pointer.archive, names.checksum, pointer.auth].sort());

    rmSync(venv, { recursive: true });
    expect(await backend.restore(key, [venv])).toBe(key);
    expect(readFileSync(join(venv, 'marker.txt'), 'utf8')).toBe(`made for hit-${compression}\n`);
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toBeUndefined();
    expect(log.warnings).toEqual([]);
    // No staging directory is left next to the venv.
    expect(readdirSync(join(scratch, `hit-${compression}`))).toEqual(['.venv']);
  });

  test('corrupted entry: flipped bytes give a warning and a miss, never a throw, and no venv', async () => {
    const venv = freshVenv(`corrupt-${compression}`);
    const cacheDir = join(scratch, `cache-corrupt-${compression}`);
    const log = recordingLog();
    const backend = new LocalCacheBackend(cacheDir, { log, compression, auth });
    const key = `pyci-venv-corrupt-${compression}`;
    expect(await backend.save(key, [venv])).toBe(true);
    const archive = join(
      cacheDir,
      readdirSync(cacheDir).find((f) => f.includes('.tar'))!,
    );
    const bytes = readFileSync(archive);
    for (let i = Math.floor(bytes.length / 3); i < bytes.length; i += 997) bytes[i] ^= 0xff;
    writeFileSync(archive, bytes);

    rmSync(venv, { recursive: true });
    await expect(backend.restore(key, [venv])).resolves.toBeUndefined();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/corrupted/);
    expect(existsSync(venv)).toBe(false);
    expect(readdirSync(join(scratch, `corrupt-${compression}`))).toEqual([]);

    // The next save replaces the broken entry and the one after that restores it.
    const again = freshVenv(`corrupt-${compression}`);
    expect(await backend.save(key, [again])).toBe(true);
    rmSync(again, { recursive: true });
    expect(await backend.restore(key, [again])).toBe(key);
  });
});

describe('local backend, silent corruption', () => {
  test('a changed byte inside a file, which tar cannot notice, is caught by the checksum', async () => {
    const venv = freshVenv('silent');
    const cacheDir = join(scratch, 'cache-silent');
    const log = recordingLog();
    const backend = new LocalCacheBackend(cacheDir, { log, compression: 'none', auth });
    expect(await backend.save('pyci-venv-silent', [venv])).toBe(true);
    const archive = join(cacheDir, currentGeneration(cacheDir, 'pyci-venv-silent').archive);
    const bytes = readFileSync(archive);
    const at = bytes.indexOf('made for silent');
    expect(at).toBeGreaterThan(0);
    bytes.write('MADE', at);
    writeFileSync(archive, bytes);

    rmSync(venv, { recursive: true });
    expect(await backend.restore('pyci-venv-silent', [venv])).toBe(undefined);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/is corrupted \(sha256 [0-9a-f]{64} instead of [0-9a-f]{64}\)/);
    expect(existsSync(venv)).toBe(false);
  });
});

describe('local backend misses', () => {
  test('a key never saved is a silent miss that creates nothing', async () => {
    const log = recordingLog();
    const target = join(scratch, 'absent', '.venv');
    expect(
      await new LocalCacheBackend(join(scratch, 'cache-empty'), { log, auth }).restore(
        'pyci-venv-none',
        [target],
      ),
    ).toBeUndefined();
    expect(existsSync(target)).toBe(false);
    expect(log.warnings).toEqual([]);
  });

  test('another key is a miss', async () => {
    const cacheDir = join(scratch, 'cache-other');
    const venv = freshVenv('other');
    const backend = new LocalCacheBackend(cacheDir, { log: recordingLog(), auth });
    expect(await backend.save('pyci-venv-one', [venv])).toBe(true);
    rmSync(venv, { recursive: true });
    expect(await backend.restore('pyci-venv-two', [venv])).toBe(undefined);
    expect(existsSync(venv)).toBe(false);
  });

  test('an archive without its checksum file is not an entry yet', async () => {
    const cacheDir = join(scratch, 'cache-half');
    const venv = freshVenv('half');
    const log = recordingLog();
    const backend = new LocalCacheBackend(cacheDir, { log, auth });
    expect(await backend.save('pyci-venv-half', [venv])).toBe(true);
    rmSync(join(cacheDir, entryFileNames('pyci-venv-half').checksum));
    rmSync(venv, { recursive: true });
    expect(await backend.restore('pyci-venv-half', [venv])).toBe(undefined);
    expect(log.warnings).toEqual([]);
  });

  test('a tampered checksum file naming another file is refused with a warning', async () => {
    const cacheDir = join(scratch, 'cache-tampered');
    mkdirSync(cacheDir, { recursive: true });
    const names = entryFileNames('pyci-venv-tampered');
    writeFileSync(join(cacheDir, names.checksum), `${'a'.repeat(64)}  ../../etc/passwd\n`);
    const log = recordingLog();
    const target = join(scratch, 'tampered', '.venv');
    expect(
      await new LocalCacheBackend(cacheDir, { log, auth }).restore('pyci-venv-tampered', [target]),
    ).toBeUndefined();
    expect(log.warnings[0]).toMatch(/malformed checksum file/);
  });

  test('a planted archive with a matching checksum, or a foreign or missing MAC, is refused', async () => {
    const cacheDir = join(scratch, 'cache-planted');
    const venv = freshVenv('planted');
    const log = recordingLog();
    const backend = new LocalCacheBackend(cacheDir, { log, auth, compression: 'none' });
    expect(await backend.save('pyci-venv-planted', [venv])).toBe(true);
    const names = entryFileNames('pyci-venv-planted');
    const saved = currentGeneration(cacheDir, 'pyci-venv-planted');
    // The attacker's venv, archived and checksummed the way the backend does it.
    writeFileSync(join(venv, 'marker.txt'), 'planted\n');
    const archive = join(cacheDir, saved.archive);
    rmSync(archive);
    const sum = await createArchive(venv, 'none', archive);
    writeFileSync(join(cacheDir, names.checksum), `${sum}  ${saved.archive}\n`);
    rmSync(venv, { recursive: true });
    expect(await backend.restore('pyci-venv-planted', [venv])).toBe(undefined);
    expect(existsSync(venv)).toBe(false);
    expect(log.warnings.at(-1)).toMatch(
      /^Refusing cache entry pyci-venv-planted .*authentication code does not match/,
    );

    // Without the .auth file (e.g. an entry saved before entries were authenticated).
    rmSync(join(cacheDir, saved.auth));
    expect(await backend.restore('pyci-venv-planted', [venv])).toBe(undefined);
    expect(log.warnings.at(-1)).toMatch(/it has no authentication record/);

    // Written with another secret.
    const other = new LocalCacheBackend(cacheDir, {
      log,
      compression: 'none',
      auth: { ...auth, secret: Buffer.alloc(32, 8) },
    });
    const again = freshVenv('planted-again');
    expect(await other.save('pyci-venv-planted', [again])).toBe(true);
    rmSync(again, { recursive: true });
    expect(await backend.restore('pyci-venv-planted', [again])).toBe(undefined);
    expect(log.warnings.at(-1)).toMatch(/authentication code does not match/);
  });

  test('a trusted run refuses an entry an untrusted event wrote; an untrusted run takes it', async () => {
    const cacheDir = join(scratch, 'cache-trust');
    const venv = freshVenv('trust');
    const log = recordingLog();
    const untrusted = { ...auth, run: { event: 'issue_comment', trusted: false } };
    const writer = new LocalCacheBackend(cacheDir, { log, auth: untrusted });
    expect(await writer.save('pyci-venv-trust', [venv])).toBe(true);
    rmSync(venv, { recursive: true });
    const trustedReader = new LocalCacheBackend(cacheDir, { log, auth });
    expect(await trustedReader.restore('pyci-venv-trust', [venv])).toBe(undefined);
    expect(log.warnings.at(-1)).toMatch(
      /written by a issue_comment run, and this trusted run only takes entries written by trusted events/,
    );
    expect(await writer.restore('pyci-venv-trust', [venv])).toBe('pyci-venv-trust');
  });

  test('without a usable secret the local cache is off, with one warning', async () => {
    const log = recordingLog();
    const backend = new LocalCacheBackend(join(scratch, 'cache-nosecret'), {
      log,
      auth: { secret: new Error('the cache key file /x is malformed'), run: auth.run },
    });
    const venv = freshVenv('nosecret');
    expect(await backend.save('pyci-venv-nosecret', [venv])).toBe(false);
    expect(await backend.restore('pyci-venv-nosecret', [join(scratch, 'nosecret-2')])).toBe(
      undefined,
    );
    expect(log.warnings).toEqual([
      'Not using the local cache: the cache key file /x is malformed.',
    ]);
  });

  test('never restores over a directory with content', async () => {
    const cacheDir = join(scratch, 'cache-occupied');
    const venv = freshVenv('occupied');
    const log = recordingLog();
    const backend = new LocalCacheBackend(cacheDir, { log, auth });
    expect(await backend.save('pyci-venv-occupied', [venv])).toBe(true);
    writeFileSync(join(venv, 'marker.txt'), 'local work\n');
    expect(await backend.restore('pyci-venv-occupied', [venv])).toBe(undefined);
    expect(readFileSync(join(venv, 'marker.txt'), 'utf8')).toBe('local work\n');
    expect(log.warnings[0]).toMatch(/already exists and is not empty/);
  });

  test('saving a path that does not exist warns and returns false', async () => {
    const log = recordingLog();
    const backend = new LocalCacheBackend(join(scratch, 'cache-missing'), { log, auth });
    expect(await backend.save('pyci-venv-missing', [join(scratch, 'no-such-dir')])).toBe(false);
    expect(log.warnings[0]).toMatch(/Could not save cache entry pyci-venv-missing/);
    expect(readdirSync(join(scratch, 'cache-missing'))).toEqual([]);
  });
});

describe('local backend, restore keys', () => {
  /** The store's prefix index (another module's job), stood in for by a fixed answer. */
  class IndexedBackend extends LocalCacheBackend {
    readonly asked: string[] = [];
    constructor(
      directory: string,
      private readonly newest: Record<string, string>,
    ) {
      super(directory, { log: recordingLog(), auth });
    }
    override newestKeyWithPrefix(prefix: string): Promise<string | undefined> {
      this.asked.push(prefix);
      return Promise.resolve(this.newest[prefix]);
    }
  }

  test('an exact miss restores the newest entry of the first prefix that has one', async () => {
    const cacheDir = join(scratch, 'cache-prefix');
    const venv = freshVenv('prefix');
    const backend = new IndexedBackend(cacheDir, { 'pyci-venv-p-': 'pyci-venv-p-old' });
    expect(await backend.save('pyci-venv-p-old', [venv])).toBe(true);
    rmSync(venv, { recursive: true });

    expect(await backend.restore('pyci-venv-p-new', [venv], ['pyci-venv-q-', 'pyci-venv-p-'])).toBe(
      'pyci-venv-p-old',
    );
    expect(backend.asked).toEqual(['pyci-venv-q-', 'pyci-venv-p-']);
    expect(readFileSync(join(venv, 'marker.txt'), 'utf8')).toBe('made for prefix\n');
  });

  test('the exact key wins without asking the index', async () => {
    const cacheDir = join(scratch, 'cache-prefix-exact');
    const venv = freshVenv('prefix-exact');
    const backend = new IndexedBackend(cacheDir, { 'pyci-venv-e-': 'pyci-venv-e-other' });
    expect(await backend.save('pyci-venv-e-key', [venv])).toBe(true);
    rmSync(venv, { recursive: true });
    expect(await backend.restore('pyci-venv-e-key', [venv], ['pyci-venv-e-'])).toBe(
      'pyci-venv-e-key',
    );
    expect(backend.asked).toEqual([]);
  });

  test("through the store's own index: the newest entry of the prefix, none for another", async () => {
    const cacheDir = join(scratch, 'cache-prefix-real');
    const backend = new LocalCacheBackend(cacheDir, { log: recordingLog(), auth });
    const venv = freshVenv('prefix-real');
    expect(await backend.save('pyci-venv-r-1', [venv])).toBe(true);
    writeFileSync(join(venv, 'marker.txt'), 'second\n');
    expect(await backend.save('pyci-venv-r-2', [venv])).toBe(true);
    rmSync(venv, { recursive: true });
    expect(await backend.restore('pyci-venv-s-1', [venv], ['pyci-venv-s-'])).toBeUndefined();
    expect(existsSync(venv)).toBe(false);
    expect(await backend.restore('pyci-venv-r-3', [venv], ['pyci-venv-r-'])).toBe('pyci-venv-r-2');
    expect(readFileSync(join(venv, 'marker.txt'), 'utf8')).toBe('second\n');
  });
});

describe('entry file names', () => {
  test('keys become safe, distinct, short file names', () => {
    const a = entryFileNames('pyci-venv/../../etc');
    const b = entryFileNames('pyci-venv_.._.._etc');
    expect(a.base).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(a.base.startsWith('.')).toBe(false);
    expect(a.base).not.toBe(b.base);
    expect(entryFileNames('k'.repeat(512)).checksum.length).toBeLessThan(200);
  });

  test('checksum files are read in sha256sum format and must name their own archive', () => {
    const sum = 'ab'.repeat(32);
    expect(parseChecksumFile(`${sum}  base.0123456789ab.tar.zst\n`, 'base')).toEqual({
      sha256: sum,
      archive: 'base.0123456789ab.tar.zst',
      auth: 'base.0123456789ab.auth',
      tree: 'base.0123456789ab.tree',
      manifest: 'base.0123456789ab.tree.json',
      generation: '0123456789ab',
      compression: 'zstd',
    });
    expect(parseChecksumFile(`${sum} *base.0123456789ab.tar\n`, 'base')).toMatchObject({
      archive: 'base.0123456789ab.tar',
      compression: 'none',
    });
    // Entries saved before generations are recognized (and never restored).
    expect(parseChecksumFile(`${sum}  base.tar.zst\n`, 'base')).toEqual({ legacy: true });
    expect(parseChecksumFile(`${sum}  other.0123456789ab.tar\n`, 'base')).toBeUndefined();
    expect(parseChecksumFile(`${sum}  base.0123456789ab/../x.tar\n`, 'base')).toBeUndefined();
    expect(parseChecksumFile(`${sum}  base.XYZ.tar\n`, 'base')).toBeUndefined();
    expect(parseChecksumFile('nonsense', 'base')).toBeUndefined();
  });
});
