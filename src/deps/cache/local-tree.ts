/**
 * Restoring a local entry from its hard-link tree (`<name>.<gen>.tree/`) instead of unpacking
 * its archive: one link per file, no data written, ~10x faster for a large venv. The tree's
 * files are shared with the venvs restored from it (and with the venv it was snapshotted from),
 * so a write into one of them in place would change the tree: every entry is checked against
 * the authenticated manifest (same type and mode; for files and symlinks the same inode, size
 * and mtime; same symlink target; nothing missing, nothing extra) while it is linked, and any difference makes the caller unpack the
 * archive instead. Each file is compared after linking, through the new link, so what was
 * checked is what was linked.
 */
import { chmodSync, linkSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from '../snapshot.js';
import type { TreeEntry } from './tree-manifest.js';

/**
 * What went wrong: the tree no longer matches its manifest (`changed`: it never will again), or
 * linking failed (`failed`: e.g. another user's files under `fs.protected_hardlinks`).
 */
export type TreeProblem = { changed: string } | { failed: string };

/**
 * Links `tree` into the existing empty directory `staging`; undefined when it matched the
 * manifest throughout (the caller removes `staging` otherwise).
 */
export function linkTree(
  tree: string,
  manifest: ReadonlyMap<string, TreeEntry>,
  staging: string,
): TreeProblem | undefined {
  let seen = 0;
  const visit = (path: string, from: string, to: string): string | undefined => {
    const expected = manifest.get(path);
    if (!expected) return `${path} was added`;
    seen++;
    let actual: TreeEntry;
    if (expected.type === 'file') {
      linkSync(from, to); // fails on a directory; a symlink linked here differs in type below
      actual = describe(to, path);
    } else {
      actual = describe(from, path);
      if (actual.type === 'dir' && path !== '.') mkdirSync(to, { mode: expected.mode });
      if (actual.type === 'symlink') symlinkSync(actual.target!, to);
    }
    const differs = (['type', 'mode', 'size', 'mtimeNs', 'ino', 'target'] as const).find(
      (field) => actual[field] !== expected[field],
    );
    if (differs) return `${path} changed (${differs})`;
    if (actual.type !== 'dir') return undefined;
    for (const name of readdirSync(from)) {
      const child = path === '.' ? name : `${path}/${name}`;
      const problem = visit(child, join(from, name), join(to, name));
      if (problem) return problem;
    }
    return undefined;
  };
  try {
    const changed = visit('.', tree, staging);
    if (changed) return { changed };
    const root = manifest.get('.');
    if (root) chmodSync(staging, root.mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { changed: 'an entry was removed' };
    return { failed: code ?? String(error) };
  }
  return seen === manifest.size
    ? undefined
    : { changed: `${manifest.size - seen} entries are missing` };
}
