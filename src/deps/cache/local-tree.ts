/**
 * Restoring a local entry from its hard-link tree (`<name>.<gen>.tree/`) instead of unpacking
 * its archive: one link per file, no data written, ~10x faster for a large venv. The tree's
 * files are shared with the venvs restored from it (and with the venv it was snapshotted from),
 * so a write into one of them in place would change the tree: every entry is checked against
 * the authenticated manifest (same type and mode; for files and symlinks the same inode, size
 * and mtime; same symlink target; nothing missing, nothing extra), and any difference makes the
 * caller unpack the archive instead. Each file is compared after linking, through the new link,
 * so what was checked is what was linked.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describeEntry, inBatches, linkEntries, walkTree } from '../link-tree.js';
import type { TreeEntry } from './tree-manifest.js';

/**
 * What went wrong: the tree no longer matches its manifest (`changed`: it never will again), or
 * linking failed (`failed`: e.g. another user's files under `fs.protected_hardlinks`).
 */
export type TreeProblem = { changed: string } | { failed: string };

const FIELDS = ['type', 'mode', 'size', 'mtimeNs', 'ino', 'target'] as const;

/** The first field of `actual` that differs from `expected`, as a reason. */
function difference(actual: TreeEntry, expected: TreeEntry): string | undefined {
  const field = FIELDS.find((name) => actual[name] !== expected[name]);
  return field ? `${actual.path} changed (${field})` : undefined;
}

/**
 * Links `tree` into the existing empty directory `staging`; undefined when it matched the
 * manifest throughout (the caller removes `staging` otherwise).
 */
export async function linkTree(
  tree: string,
  manifest: ReadonlyMap<string, TreeEntry>,
  staging: string,
): Promise<TreeProblem | undefined> {
  try {
    const entries = await walkTree(tree);
    const added = entries.find((entry) => !manifest.has(entry.path));
    if (added) return { changed: `${added.path} was added` };
    if (entries.length !== manifest.size)
      return { changed: `${manifest.size - entries.length} entries are missing` };
    // Folders and symlinks are judged in the tree (a folder's copy is new anyway); files
    // through the new link, after linking.
    let problem: string | undefined;
    // Runs concurrently: a callback records only a difference, never clears one found meanwhile.
    const check = async (dir: string, path: string) => {
      const found = difference(await describeEntry(join(dir, path), path), manifest.get(path)!);
      if (found) problem ??= found;
    };
    await inBatches(
      entries.filter((entry) => entry.type !== 'file'),
      ({ path }) => check(tree, path),
    );
    if (problem) return { changed: problem };
    await linkEntries(tree, staging, entries, (path) => Promise.resolve(manifest.get(path)!.mode));
    await inBatches(
      entries.filter((entry) => entry.type === 'file'),
      ({ path }) => check(staging, path),
    );
    if (problem) return { changed: problem };
    const root = manifest.get('.');
    if (root) await chmod(staging, root.mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { changed: 'an entry was removed' };
    return { failed: code ?? String(error) };
  }
  return undefined;
}
