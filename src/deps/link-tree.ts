/**
 * Hard-link copies of directory trees, made in parallel: a venv holds ~1,000 folders and ~10,000
 * files, and one `mkdir` or `link` at a time costs 0.15-0.6 ms each on a busy ext4 disk (the
 * journal serialises them), so a sequential copy took 0.5-1.2 s on the critical path. Folders are
 * made level by level (a level's folders at once: parents exist first), then files are linked and
 * symlinks recreated, many at once. The snapshot (snapshot.ts) and the restore from a local
 * entry's tree (cache/local-tree.ts) both use it.
 */
import { link, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TreeEntry } from './cache/tree-manifest.js';

export interface WalkedEntry {
  /** Relative to the root, '/'-separated; '.' for the root itself. */
  path: string;
  type: 'dir' | 'file' | 'symlink';
}

/** How many file operations are started at once (libuv runs four at a time; the rest queue). */
const BATCH = 256;

/** Every folder, file and symlink under `root` (sockets, FIFOs and devices are left out). */
export async function walkTree(root: string): Promise<WalkedEntry[]> {
  const found: WalkedEntry[] = [{ path: '.', type: 'dir' }];
  let level = ['.'];
  while (level.length > 0) {
    const listings = await Promise.all(
      level.map(async (dir) => ({
        dir,
        entries: await readdir(join(root, dir), { withFileTypes: true }),
      })),
    );
    const next: string[] = [];
    for (const { dir, entries } of listings) {
      for (const entry of entries) {
        const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          found.push({ path, type: 'dir' });
          next.push(path);
        } else if (entry.isSymbolicLink()) found.push({ path, type: 'symlink' });
        else if (entry.isFile()) found.push({ path, type: 'file' });
      }
    }
    level = next;
  }
  return found;
}

/** Runs `work` on every item, at most BATCH started at once; rejects with the first failure. */
export async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>) {
  for (let start = 0; start < items.length; start += BATCH)
    await Promise.all(items.slice(start, start + BATCH).map(work));
}

/**
 * Recreates `entries` of `source` under `target` (which must exist): folders with `dirMode(path)`,
 * files as hard links, symlinks with the same target. Folders come first, level by level.
 */
export async function linkEntries(
  source: string,
  target: string,
  entries: readonly WalkedEntry[],
  dirMode: (path: string) => Promise<number>,
): Promise<void> {
  const byDepth = new Map<number, WalkedEntry[]>();
  for (const entry of entries) {
    if (entry.type !== 'dir' || entry.path === '.') continue;
    const depth = entry.path.split('/').length;
    const level = byDepth.get(depth);
    if (level) level.push(entry);
    else byDepth.set(depth, [entry]);
  }
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    await inBatches(byDepth.get(depth)!, async (entry) =>
      mkdir(join(target, entry.path), { mode: await dirMode(entry.path) }).then(() => undefined),
    );
  }
  await inBatches(
    entries.filter((entry) => entry.type !== 'dir'),
    async (entry) => {
      const from = join(source, entry.path);
      const to = join(target, entry.path);
      if (entry.type === 'file') await link(from, to);
      else await symlink(await readlink(from), to);
    },
  );
}

/** What a manifest records of one entry of a tree (the tree's own copy, not its source's). */
export async function describeEntry(file: string, path: string): Promise<TreeEntry> {
  const info = await lstat(file, { bigint: true });
  const type = info.isDirectory() ? 'dir' : info.isSymbolicLink() ? 'symlink' : 'file';
  const entry: TreeEntry = {
    path,
    type,
    mode: Number(info.mode & 0o7777n),
    size: info.isFile() ? Number(info.size) : -1, // -1: not a regular file
    // A folder's mtime changes with its entries, which are checked one by one; its inode is not
    // needed either (a copy made with `cp -al` has new folders holding the same files).
    mtimeNs: type === 'dir' ? '0' : info.mtimeNs.toString(),
    ino: type === 'dir' ? '0' : info.ino.toString(),
  };
  if (type === 'symlink') entry.target = await readlink(file);
  return entry;
}
