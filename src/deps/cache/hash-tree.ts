/**
 * Content hashes of local paths that requirements install from (a file, or a folder tree), for
 * the cache key. Build outputs and environments are left out: they change on every build without
 * changing what pip installs from the folder.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { sha256OfFile } from './hash-files.js';
import type { HashedFile } from './key.js';

const IGNORED_DIRS = new Set([
  '.git',
  'build',
  'dist',
  '__pycache__',
  '.venv',
  '.tox',
  '.nox',
  'node_modules',
]);

function ignored(name: string, isDirectory: boolean): boolean {
  return (
    (isDirectory && IGNORED_DIRS.has(name)) || name.endsWith('.egg-info') || name.endsWith('.pyc')
  );
}

/**
 * sha256 over `type, relative path, content hash` of every entry below `root`, sorted: a file's
 * bytes and executable bit, a symlink's target. Sockets, FIFOs and devices are skipped (reading
 * one would block). `exclude`: absolute folders left out too (the venv, the cache directory).
 */
export async function hashTree(root: string, exclude: string[] = []): Promise<string> {
  const lines: string[] = [];
  const excluded = new Set(exclude.map((path) => resolve(path)));
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (ignored(entry.name, entry.isDirectory()) || excluded.has(path)) continue;
      const rel = relative(root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isSymbolicLink()) {
        lines.push(`L\0${rel}\0${await readlink(path)}`);
      } else if (entry.isFile()) {
        const mode = (await lstat(path)).mode & 0o111 ? 'x' : '-';
        lines.push(`F\0${rel}\0${mode}\0${await sha256OfFile(path)}`);
      }
    }
  };
  await walk(root);
  lines.sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** A file's or folder's hash; `missing` when nothing is there (pip will say so itself). */
export async function hashLocalPath(path: string, exclude: string[] = []): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 'missing';
  }
  if (info.isDirectory()) return `tree:${await hashTree(path, exclude)}`;
  if (info.isFile()) return `file:${await sha256OfFile(path)}`;
  return 'not-a-file';
}

/** Key entries `local:<path>` for each local path (relative to the working directory when inside). */
export async function hashLocalPaths(
  paths: string[],
  workingDirectory: string,
  exclude: string[] = [],
): Promise<HashedFile[]> {
  const unique = [...new Set(paths.map((path) => resolve(workingDirectory, path)))];
  return Promise.all(
    unique.map(async (path) => {
      const inside = relative(resolve(workingDirectory), path);
      const shown = inside.startsWith('..') || inside === '' ? path : inside;
      return {
        path: `local:${shown.split(sep).join('/')}`,
        sha256: await hashLocalPath(path, exclude),
      };
    }),
  );
}
