/** Finding files by glob without a shell: one walker for every input that takes globs. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';

/** Folders never searched: environments and VCS data hold files that only look like ours. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox']);

export function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/** The folder a pattern can only match below: its leading part without glob characters. */
function staticBase(pattern: string): { base: string; rest: string } {
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex(isGlob);
  return {
    base: parts.slice(0, firstGlob).join('/') || '.',
    rest: parts.slice(firstGlob).join('/'),
  };
}

/** A regular file, or a symlink to one. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Files matching `pattern` (relative to `root`, or absolute), sorted. */
export function findFiles(root: string, pattern: string): string[] {
  if (!isGlob(pattern)) {
    const path = resolve(root, pattern);
    return existsSync(path) && statSync(path).isFile() ? [path] : [];
  }
  const { base, rest } = staticBase(pattern);
  const start = isAbsolute(base) ? base : resolve(root, base);
  const matches: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a base folder that does not exist matches nothing
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(path);
      } else if (
        isRegularFile(path) &&
        minimatch(relative(start, path).split(sep).join('/'), rest, { dot: true })
      ) {
        // Regular files only: reading a FIFO, socket or device would block or never end.
        matches.push(path);
      }
    }
  };
  walk(start);
  return matches.sort();
}
