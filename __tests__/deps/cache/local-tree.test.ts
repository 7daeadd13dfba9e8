/**
 * Local entries with a hard-link tree: a save from a snapshot keeps it, restores link it while it
 * matches its authenticated manifest, and unpack the archive in every other case.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  LocalCacheBackend,
  entryFileNames,
  parseChecksumFile,
  type LocalCacheOptions,
} from '../../../src/deps/cache/local.js';
import { verifyRestoredVenv } from '../../../src/deps/cache/verify.js';
import { pruneLocalCache } from '../../../src/deps/cache/local-prune.js';
import { linkSnapshot } from '../../../src/deps/snapshot.js';
import { makeVenv, recordingLog, systemPython } from '../../support/venv-fixtures.js';

let scratch: string;
/** A real venv with pip and one package, made once (copied per test by a snapshot save). */
let venv: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pyci-local-tree-'));
  venv = join(scratch, 'origin', '.venv');
  makeVenv(systemPython().executable, venv, { withPip: true });
  execFileSync(join(venv, 'bin/python'), ['-m', 'pip', 'install', '-q', 'iniconfig'], {
    stdio: 'pipe',
  });
  writeFileSync(join(venv, 'data.txt'), 'saved\n');
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const auth = { secret: Buffer.alloc(32, 7), run: { event: 'push', trusted: true } };

function backendIn(cacheDir: string, options: LocalCacheOptions = {}) {
  const log = recordingLog();
  return {
    log,
    backend: new LocalCacheBackend(cacheDir, { log, auth, compression: 'zstd', ...options }),
  };
}

/** What save.ts does: a hard-link snapshot of `source` next to it, saved with its manifest. */
async function saveSnapshot(backend: LocalCacheBackend, key: string, source = venv) {
  const snapshot = join(dirname(source), `.snap-${randomUUID()}`);
  const manifest = await linkSnapshot(source, snapshot);
  const saved = await backend.save(key, [snapshot], { snapshot: { manifest } });
  rmSync(snapshot, { recursive: true, force: true });
  return saved;
}

function generation(cacheDir: string, key: string) {
  const names = entryFileNames(key);
  const pointer = parseChecksumFile(
    readFileSync(join(cacheDir, names.checksum), 'utf8'),
    names.base,
  );
  if (!pointer || 'legacy' in pointer) throw new Error('no generation');
  return { ...pointer, treePath: join(cacheDir, pointer.tree) };
}

/** Every entry below `dir`: path, type, permission bits, content digest or link target. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string, rel: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const child = `${rel}${name}`;
      const info = lstatSync(full);
      if (info.isSymbolicLink()) out.push(`${child} -> ${readlinkSync(full)}`);
      else if (info.isDirectory()) {
        out.push(`${child}/ ${(info.mode & 0o7777).toString(8)}`);
        walk(full, `${child}/`);
      } else {
        const digest = createHash('sha256').update(readFileSync(full)).digest('hex');
        out.push(`${child} ${(info.mode & 0o7777).toString(8)} ${digest}`);
      }
    }
  };
  walk(dir, '');
  return out;
}

function pipFreeze(target: string): string {
  return execFileSync(join(target, 'bin/python'), ['-m', 'pip', 'list', '--format=freeze'], {
    encoding: 'utf8',
  });
}

const TREE_LINE = /^Restored .* from the local cache by hard links to /;
const ARCHIVE_LINE = /^Restored .* from the local cache \(.*\.tar\.zst\)\.$/;

describe('local entries with a hard-link tree', () => {
  test('a restore links the tree: the same files, modes and symlinks as the archive gives; the venv works', async () => {
    const cacheDir = join(scratch, 'cache-same');
    const { backend, log } = backendIn(cacheDir);
    const key = 'pyci-venv-tree-same';
    expect(await saveSnapshot(backend, key)).toBe(true);
    const gen = generation(cacheDir, key);
    expect(readdirSync(cacheDir).sort()).toEqual(
      [gen.archive, gen.auth, gen.tree, gen.manifest, entryFileNames(key).checksum].sort(),
    );

    const viaTree = join(scratch, 'same-tree', '.venv');
    expect(await backend.restore(key, [viaTree])).toBe(key);
    expect(log.infos.filter((line) => TREE_LINE.test(line))).toHaveLength(1);
    // Linked, not copied: the venv's files are the tree's.
    expect(lstatSync(join(viaTree, 'data.txt')).ino).toBe(
      lstatSync(join(gen.treePath, 'data.txt')).ino,
    );

    const archived = backendIn(cacheDir, { sameDevice: () => false });
    const viaArchive = join(scratch, 'same-archive', '.venv');
    expect(await archived.backend.restore(key, [viaArchive])).toBe(key);
    expect(archived.log.infos.filter((line) => ARCHIVE_LINE.test(line))).toHaveLength(1);

    expect(listing(viaTree)).toEqual(listing(viaArchive));
    expect(listing(viaTree)).toEqual(listing(venv));
    expect(listing(viaTree).some((line) => line.includes(' -> '))).toBe(true);
    await expect(verifyRestoredVenv(viaTree, systemPython().version)).resolves.toBeUndefined();
    execFileSync(join(viaTree, 'bin/python'), ['-c', 'import iniconfig']);
    expect(pipFreeze(viaTree)).toContain('iniconfig==');
    expect(pipFreeze(viaTree)).toBe(pipFreeze(viaArchive));
    expect([...log.warnings, ...archived.log.warnings]).toEqual([]);
    // No staging directory left beside the targets.
    expect(readdirSync(join(scratch, 'same-tree'))).toEqual(['.venv']);
  }, 60_000);

  test('a cache directory copied with cp -al (new folders, the same files) still links its trees', async () => {
    const cacheDir = join(scratch, 'cache-copied');
    const { backend } = backendIn(cacheDir);
    expect(await saveSnapshot(backend, 'pyci-venv-tree-copied')).toBe(true);
    const copy = join(scratch, 'cache-copied-2');
    execFileSync('cp', ['-al', cacheDir, copy]);
    const copied = backendIn(copy);
    const target = join(scratch, 'copied-restore', '.venv');
    expect(await copied.backend.restore('pyci-venv-tree-copied', [target])).toBe(
      'pyci-venv-tree-copied',
    );
    expect(copied.log.infos).toEqual([expect.stringMatching(TREE_LINE)]);
    expect(listing(target)).toEqual(listing(venv));
  }, 60_000);

  test('a file written in place after the save: the archive is unpacked (saved content), the tree dropped', async () => {
    const source = join(scratch, 'inplace-src');
    // A copy of its own (not links): appending must not reach the other tests' venvs.
    execFileSync('cp', ['-a', venv, source]);
    const cacheDir = join(scratch, 'cache-inplace');
    const { backend, log } = backendIn(cacheDir);
    const key = 'pyci-venv-tree-inplace';
    expect(await saveSnapshot(backend, key, source)).toBe(true);
    const gen = generation(cacheDir, key);
    // The live venv shares its files with the tree: a test appending to one changes both.
    appendFileSync(join(source, 'bin/activate'), '# appended\n');
    expect(readFileSync(join(gen.treePath, 'bin/activate'), 'utf8')).toContain('# appended');

    const target = join(scratch, 'inplace-restore', '.venv');
    expect(await backend.restore(key, [target])).toBe(key);
    expect(log.infos).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^The tree of cache entry ${key} changed since it was saved \\(bin/activate changed \\((size|mtimeNs)\\)\\); unpacking the archive\\.$`,
        ),
      ),
    );
    expect(log.infos.filter((line) => ARCHIVE_LINE.test(line))).toHaveLength(1);
    expect(readFileSync(join(target, 'bin/activate'), 'utf8')).not.toContain('# appended');
    expect(listing(target)).toEqual(listing(venv));
    await expect(verifyRestoredVenv(target, systemPython().version)).resolves.toBeUndefined();
    // Dropped: the next restore unpacks at once, without trying it again.
    expect(existsSync(gen.treePath)).toBe(false);
    expect(existsSync(join(cacheDir, gen.manifest))).toBe(false);
    const again = join(scratch, 'inplace-again', '.venv');
    log.infos.length = 0;
    expect(await backend.restore(key, [again])).toBe(key);
    expect(log.infos).toEqual([expect.stringMatching(ARCHIVE_LINE)]);
    expect(log.warnings).toEqual([]);
  }, 60_000);

  test('an extra file planted in the tree: not restored; the archive is', async () => {
    const cacheDir = join(scratch, 'cache-planted');
    const { backend, log } = backendIn(cacheDir);
    const key = 'pyci-venv-tree-planted';
    expect(await saveSnapshot(backend, key)).toBe(true);
    const gen = generation(cacheDir, key);
    writeFileSync(join(gen.treePath, 'bin/planted'), '#!/bin/sh\n');

    const target = join(scratch, 'planted-restore', '.venv');
    expect(await backend.restore(key, [target])).toBe(key);
    expect(log.infos).toContainEqual(expect.stringContaining('bin/planted was added'));
    expect(existsSync(join(target, 'bin/planted'))).toBe(false);
    expect(listing(target)).toEqual(listing(venv));
    expect(log.warnings).toEqual([]);
  }, 60_000);

  test('a manifest signed with another secret, or edited, is not used; the genuine one is', async () => {
    const key = 'pyci-venv-tree-forged';
    const foreignDir = join(scratch, 'cache-foreign');
    const foreign = new LocalCacheBackend(foreignDir, {
      log: recordingLog(),
      compression: 'zstd',
      auth: { ...auth, secret: Buffer.alloc(32, 9) },
    });
    expect(await saveSnapshot(foreign, key)).toBe(true);
    const cacheDir = join(scratch, 'cache-forged');
    const { backend, log } = backendIn(cacheDir);
    expect(await saveSnapshot(backend, key)).toBe(true);
    const manifest = join(cacheDir, generation(cacheDir, key).manifest);
    const genuine = readFileSync(manifest, 'utf8');
    const edited = genuine.replace(
      /"data.txt","file",(\d+),(\d+)/,
      (_all, mode: string, size: string) => `"data.txt","file",${mode},${Number(size) + 1}`,
    );
    expect(edited).not.toBe(genuine);
    const forgeries = {
      foreign: readFileSync(join(foreignDir, generation(foreignDir, key).manifest), 'utf8'),
      edited,
    };
    for (const [name, text] of Object.entries(forgeries)) {
      writeFileSync(manifest, text);
      log.infos.length = 0;
      const target = join(scratch, `forged-${name}`, '.venv');
      expect(await backend.restore(key, [target])).toBe(key);
      expect(log.infos).toEqual([
        `Not linking the tree of cache entry ${key}: its manifest is not authentic; unpacking the archive.`,
        expect.stringMatching(ARCHIVE_LINE),
      ]);
      expect(listing(target)).toEqual(listing(venv));
    }
    writeFileSync(manifest, genuine);
    log.infos.length = 0;
    expect(await backend.restore(key, [join(scratch, 'forged-genuine', '.venv')])).toBe(key);
    expect(log.infos).toEqual([expect.stringMatching(TREE_LINE)]);
    expect(log.warnings).toEqual([]);
  }, 60_000);

  test('on another file system: no tree is kept at save, and an existing tree is not linked', async () => {
    const cacheDir = join(scratch, 'cache-device');
    const apart = backendIn(cacheDir, { sameDevice: () => false });
    const key = 'pyci-venv-tree-device';
    expect(await saveSnapshot(apart.backend, key)).toBe(true);
    const gen = generation(cacheDir, key);
    expect(existsSync(gen.treePath)).toBe(false);
    expect(existsSync(join(cacheDir, gen.manifest))).toBe(false);
    const target = join(scratch, 'device-restore', '.venv');
    expect(await apart.backend.restore(key, [target])).toBe(key);
    expect(apart.log.infos.filter((line) => ARCHIVE_LINE.test(line))).toHaveLength(1);

    // Saved with a tree; restored where the target's file system is another one.
    const same = backendIn(cacheDir);
    expect(await saveSnapshot(same.backend, key)).toBe(true);
    expect(existsSync(generation(cacheDir, key).treePath)).toBe(true);
    const later = backendIn(cacheDir, { sameDevice: () => false });
    const elsewhere = join(scratch, 'device-elsewhere', '.venv');
    expect(await later.backend.restore(key, [elsewhere])).toBe(key);
    expect(later.log.infos).toEqual([expect.stringMatching(ARCHIVE_LINE)]);
    expect(listing(elsewhere)).toEqual(listing(venv));
  }, 60_000);

  test('a new save removes the older generation with its tree; pruning removes trees too', async () => {
    const cacheDir = join(scratch, 'cache-prune');
    const { backend } = backendIn(cacheDir);
    expect(await saveSnapshot(backend, 'pyci-venv-tree-a')).toBe(true);
    const first = generation(cacheDir, 'pyci-venv-tree-a');
    expect(await saveSnapshot(backend, 'pyci-venv-tree-a')).toBe(true);
    const second = generation(cacheDir, 'pyci-venv-tree-a');
    expect(second.tree).not.toBe(first.tree);
    expect(existsSync(first.treePath)).toBe(false);
    expect(existsSync(join(cacheDir, first.manifest))).toBe(false);
    expect(existsSync(second.treePath)).toBe(true);

    // A limit the newest entry alone fits: the older one goes, tree and all.
    const pruning = backendIn(cacheDir, { maxBytes: 1 });
    expect(await saveSnapshot(pruning.backend, 'pyci-venv-tree-b')).toBe(true);
    const base = entryFileNames('pyci-venv-tree-a').base;
    expect(readdirSync(cacheDir).filter((name) => name.startsWith(base))).toEqual([]);
    expect(existsSync(generation(cacheDir, 'pyci-venv-tree-b').treePath)).toBe(true);
    expect(pruning.log.infos).toContainEqual(
      expect.stringMatching(/^Pruned 1 least recently used entry/),
    );
  }, 60_000);

  test('cache-local-max-size counts each tree file once, however many trees share it', async () => {
    const cacheDir = join(scratch, 'cache-count');
    const { backend } = backendIn(cacheDir);
    // Both trees are snapshots of one venv: they share every file.
    expect(await saveSnapshot(backend, 'pyci-venv-count-a')).toBe(true);
    expect(await saveSnapshot(backend, 'pyci-venv-count-b')).toBe(true);
    let bytes = 0;
    const inodes = new Set<number>();
    const walk = (path: string) => {
      for (const name of readdirSync(path)) {
        const info = lstatSync(join(path, name));
        if (info.isDirectory()) walk(join(path, name));
        else if (info.isFile() && !inodes.has(info.ino)) {
          inodes.add(info.ino);
          bytes += info.size;
        }
      }
    };
    walk(cacheDir);
    const tree = generation(cacheDir, 'pyci-venv-count-a').treePath;
    let treeFiles = 0;
    for (const line of listing(tree)) if (/ [0-9a-f]{64}$/.test(line)) treeFiles += 1;
    expect(treeFiles).toBeGreaterThan(100); // a real venv's files, not a handful

    const log = recordingLog();
    await pruneLocalCache(cacheDir, bytes, { log });
    expect(log.infos).toEqual([]);
    // One byte less: trees go (which of the two holds the shared files' count depends on the
    // directory's order), the entries stay.
    await pruneLocalCache(cacheDir, bytes - 1, { log });
    expect(log.infos).toEqual([
      expect.stringMatching(/^Removed the hard-link trees of [12] least recently used entr/),
    ]);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tar.zst'))).toHaveLength(2);
  }, 60_000);

  test('pruning removes the trees of the least recently used entries first; they restore from their archives', async () => {
    const cacheDir = join(scratch, 'cache-trees-first');
    const { backend } = backendIn(cacheDir);
    // Venvs of their own (copies, not links), so that each tree's files count for that tree.
    const sources = ['a', 'b'].map((name) => {
      const source = join(scratch, `trees-first-${name}`);
      execFileSync('cp', ['-a', venv, source]);
      return source;
    });
    expect(await saveSnapshot(backend, 'pyci-venv-first-a', sources[0])).toBe(true);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20)); // a is the older
    expect(await saveSnapshot(backend, 'pyci-venv-first-b', sources[1])).toBe(true);
    const a = generation(cacheDir, 'pyci-venv-first-a');
    const b = generation(cacheDir, 'pyci-venv-first-b');
    const du = (path: string) =>
      Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
    const total = du(cacheDir);

    // Room for everything but about half of one tree: a's tree goes, nothing else.
    const log = recordingLog();
    await pruneLocalCache(cacheDir, total - du(a.treePath) / 2, { log });
    expect(log.infos).toEqual([
      expect.stringMatching(/^Removed the hard-link trees of 1 least recently used entry \(/),
    ]);
    expect(existsSync(a.treePath)).toBe(false);
    expect(existsSync(join(cacheDir, a.manifest))).toBe(false);
    expect(existsSync(join(cacheDir, a.archive))).toBe(true);
    expect(existsSync(b.treePath)).toBe(true);

    const restores = backendIn(cacheDir);
    const target = join(scratch, 'trees-first-restore', '.venv');
    expect(await restores.backend.restore('pyci-venv-first-a', [target])).toBe('pyci-venv-first-a');
    expect(restores.log.infos).toEqual([expect.stringMatching(ARCHIVE_LINE)]);
    expect(listing(target)).toEqual(listing(venv));
  }, 60_000);
});
