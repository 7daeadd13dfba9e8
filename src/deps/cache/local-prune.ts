/**
 * Keeps the local cache directory under `cache-local-max-size`: after a save, the entries used
 * least recently are removed until the directory fits. "Used" is the later of the last restore
 * (the `.used` file's mtime: access times are often not recorded) and the last save (the
 * pointer's mtime). Never removed: the entry just saved, and entries whose lock is held (a save
 * in progress, unless the lock is stale); each removal takes the entry's lock itself, so a save
 * cannot start under it.
 * Temp files older than a day (interrupted saves) are removed whatever the size.
 *
 * An entry's hard-link tree counts by the sizes of its files, each file once even when trees of
 * several entries (or a live venv) share it: what removing them all would free at most. Trees
 * go first, least recently used first: they only make restores faster, and an entry without
 * its tree still restores from its archive. Whole entries go only when that is not enough.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../runner/errors.js';
import type { CacheLog } from './backend.js';
import { classifyName, isTempName } from './local-layout.js';
import { tryLock } from './local-lock.js';
import { inBatches, walkTree } from '../link-tree.js';

const TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface PruneOptions {
  /** The base name of the entry just saved. */
  protect?: string;
  log: CacheLog;
  lockStaleMs?: number;
  now?: () => number;
}

/** What pruning sees of one entry (pure data, for `chooseEvictions`). */
export interface EntryUsage {
  base: string;
  bytes: number;
  lastUsed: number;
  /** Names of its files, the pointer first: its removal makes the entry vanish for readers. */
  files: string[];
  /** Its hard-link trees and their manifests (also in `files`), manifests first, and their bytes. */
  trees: { names: string[]; bytes: number };
}

/** The order entries are removed in: least recently used first, never the protected one. */
export function evictionOrder(entries: EntryUsage[], protect?: string): EntryUsage[] {
  return entries
    .filter((entry) => entry.base !== protect)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.base.localeCompare(b.base));
}

/** Never throws: pruning is housekeeping, a problem is a warning. */
export async function pruneLocalCache(
  directory: string,
  maxBytes: number,
  options: PruneOptions,
): Promise<void> {
  try {
    await prune(directory, maxBytes, options);
  } catch (error) {
    options.log.warning(`Could not prune the local cache ${directory}: ${errorMessage(error)}`);
  }
}

async function prune(directory: string, maxBytes: number, options: PruneOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const { entries, total } = await survey(directory, now());
  let freed = 0;
  let removed = 0;
  let treesFreed = 0;
  let treesRemoved = 0;
  // A held lock is a save in progress (skipped); a stale one is broken and the entry goes.
  const underLock = async (entry: EntryUsage, names: string[]): Promise<boolean> => {
    const locked = await tryLock(join(directory, `${entry.base}.lock`), {
      staleMs: options.lockStaleMs,
      now,
    });
    if (!('lock' in locked)) return false; // a save started on it meanwhile
    try {
      for (const name of names) await removeFile(join(directory, name));
    } finally {
      await locked.lock.release();
    }
    return true;
  };
  const order = evictionOrder(entries, options.protect);
  for (const entry of order) {
    if (total - freed <= maxBytes) break;
    if (entry.trees.names.length === 0 || !(await underLock(entry, entry.trees.names))) continue;
    entry.files = entry.files.filter((name) => !entry.trees.names.includes(name));
    entry.bytes -= entry.trees.bytes;
    freed += entry.trees.bytes;
    treesFreed += entry.trees.bytes;
    treesRemoved++;
  }
  for (const entry of order) {
    if (total - freed <= maxBytes) break;
    if (!(await underLock(entry, entry.files))) continue;
    freed += entry.bytes;
    removed++;
  }
  if (treesRemoved > 0) {
    options.log.info(
      `Removed the hard-link trees of ${treesRemoved} least recently used entr${treesRemoved === 1 ? 'y' : 'ies'} (${megabytes(treesFreed)}) from the local cache ${directory} to stay under cache-local-max-size (${megabytes(maxBytes)}); they restore from their archives.`,
    );
  }
  if (removed > 0) {
    options.log.info(
      `Pruned ${removed} least recently used entr${removed === 1 ? 'y' : 'ies'} (${megabytes(freed - treesFreed)}) from the local cache ${directory} to stay under cache-local-max-size (${megabytes(maxBytes)}).`,
    );
  }
  if (total - freed > maxBytes) {
    options.log.info(
      `The local cache ${directory} holds ${megabytes(total - freed)}, over cache-local-max-size (${megabytes(maxBytes)}): what is left is the entry just saved or entries being saved.`,
    );
  }
}

/** Every entry of the directory with its size and last use; old temp files are removed here. */
async function survey(
  directory: string,
  now: number,
): Promise<{ entries: EntryUsage[]; total: number }> {
  const byBase = new Map<string, EntryUsage>();
  const counted = new Set<bigint>(); // inodes of tree files already counted
  const newestFile = new Map<string, number>(); // per entry, for entries with no recorded use
  let total = 0;
  for (const name of await readdir(directory)) {
    const path = join(directory, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info) continue; // removed meanwhile
    if (isTempName(name)) {
      if (now - info.mtimeMs > TEMP_MAX_AGE_MS) await rm(path, { recursive: true, force: true });
      else total += info.size;
      continue;
    }
    const file = classifyName(name);
    if (!file) continue; // not ours: neither counted nor touched
    const entry = byBase.get(file.base) ?? {
      base: file.base,
      bytes: 0,
      lastUsed: 0,
      files: [],
      trees: { names: [], bytes: 0 },
    };
    byBase.set(file.base, entry);
    if (file.role === 'lock') continue; // taken (or found held) at removal
    newestFile.set(file.base, Math.max(newestFile.get(file.base) ?? 0, info.mtimeMs));
    const bytes = info.isDirectory() ? await treeBytes(path, counted) : info.size;
    entry.bytes += bytes;
    total += bytes;
    if (name.endsWith('.tree.json')) entry.trees.names.unshift(name);
    else if (name.endsWith('.tree')) entry.trees.names.push(name);
    if (name.endsWith('.tree') || name.endsWith('.tree.json')) entry.trees.bytes += bytes;
    if (file.role === 'pointer') entry.files.unshift(name);
    else entry.files.push(name);
    if (file.role === 'pointer' || file.role === 'used')
      entry.lastUsed = Math.max(entry.lastUsed, info.mtimeMs);
  }
  // An entry with neither pointer nor use (files of a save that died) counts from its newest file.
  for (const entry of byBase.values())
    if (entry.lastUsed === 0) entry.lastUsed = newestFile.get(entry.base) ?? 0;
  return { entries: [...byBase.values()], total };
}

/** A tree may be removed by a restore that found it changed at the same time. */
async function removeFile(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch((error: unknown) => {
    if (!path.endsWith('.tree')) throw error;
  });
}

/**
 * The sizes of the regular files below `dir` whose inodes are not in `counted` yet (in parallel:
 * a venv's tree has ~10,000 files, and one lstat at a time took 0.3 s at the end of every save).
 */
async function treeBytes(dir: string, counted: Set<bigint>): Promise<number> {
  const files = await walkTree(dir).catch(() => []);
  const sizes = new Map<bigint, number>();
  await inBatches(
    files.filter((entry) => entry.type === 'file'),
    async ({ path }) => {
      const info = await lstat(join(dir, path), { bigint: true }).catch(() => undefined);
      if (info?.isFile()) sizes.set(info.ino, Number(info.size));
    },
  );
  let total = 0;
  for (const [ino, size] of sizes) {
    if (counted.has(ino)) continue;
    counted.add(ino);
    total += size;
  }
  return total;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
