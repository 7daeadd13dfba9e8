/**
 * A hard-link copy of a directory: the cache is archived from it while the tests run in the
 * original. New files, deleted files and files replaced by rename (how Python writes .pyc
 * files and pip installs) do not reach the copy; only a write into an existing file in place
 * would. Making it costs one link per file, no data is copied (in parallel: link-tree.ts).
 *
 * It also returns the copy's manifest (what each entry is right after linking): the local
 * backend keeps the copy as the entry's tree and restores by linking it only while it still
 * matches (cache/local-tree.ts), so an in-place write made after this point is noticed.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TreeEntry } from './cache/tree-manifest.js';
import { describeEntry, inBatches, linkEntries, walkTree } from './link-tree.js';

/** Builds `target` (must not exist) as a hard-link copy of `source`; rejects if links fail. */
export async function linkSnapshot(source: string, target: string): Promise<TreeEntry[]> {
  const entries = await walkTree(source);
  const modeOf = async (path: string) => (await lstat(join(source, path))).mode & 0o7777;
  await mkdir(target, { mode: await modeOf('.') });
  await linkEntries(source, target, entries, modeOf);
  const manifest: TreeEntry[] = new Array<TreeEntry>(entries.length);
  await inBatches([...entries.keys()], async (index) => {
    const { path } = entries[index];
    manifest[index] = await describeEntry(join(target, path), path);
  });
  return manifest;
}
