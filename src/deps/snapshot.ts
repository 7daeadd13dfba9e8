/**
 * A hard-link copy of a directory: the cache is archived from it while the tests run in the
 * original. New files, deleted files and files replaced by rename (how Python writes .pyc
 * files and pip installs) do not reach the copy; only a write into an existing file in place
 * would. Making it costs one link per file, no data is copied.
 *
 * It also returns the copy's manifest (what each entry is right after linking): the local
 * backend keeps the copy as the entry's tree and restores by linking it only while it still
 * matches (cache/local-tree.ts), so an in-place write made after this point is noticed.
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeEntry } from './cache/tree-manifest.js';

/** Builds `target` (must not exist) as a hard-link copy of `source`; throws if links fail. */
export function linkSnapshot(source: string, target: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  copy(source, target, '.', entries);
  return entries;
}

function copy(source: string, target: string, path: string, entries: TreeEntry[]): void {
  mkdirSync(target, { mode: lstatSync(source).mode & 0o7777 });
  entries.push(describe(target, path));
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    const rel = path === '.' ? entry.name : `${path}/${entry.name}`;
    if (entry.isDirectory()) copy(from, to, rel, entries);
    else if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(from), to);
      entries.push(describe(to, rel));
    } else if (entry.isFile()) {
      linkSync(from, to);
      entries.push(describe(to, rel));
    }
    // Sockets, FIFOs and devices have no place in a venv, and tar would not restore them usefully.
  }
}

/** What the manifest records of one entry of a tree (the tree's own copy, not the source's). */
export function describe(file: string, path: string): TreeEntry {
  const info = lstatSync(file, { bigint: true });
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
  if (type === 'symlink') entry.target = readlinkSync(file);
  return entry;
}
