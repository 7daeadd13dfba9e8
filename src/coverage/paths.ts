/**
 * Where recorded files are in this checkout. Shards ran on other runners, with the checkout at
 * other paths (/home/runner/work/r/r, D:\a\r\r, ...), and a project installed without -e runs
 * from the venv's site-packages: coverage.py's `[paths]` setting maps such roots to local
 * folders, and the roots are found from the recorded paths themselves. Pure.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { compareStrings } from '../runner/text.js';

export interface RootMapping {
  /** A local folder, ending with a separator. */
  local: string;
  /** Recorded prefixes that stand for it, each ending with a separator. */
  remotes: string[];
}

const withSep = (dir: string) => (/[\\/]$/.test(dir) ? dir : `${dir}/`);

/**
 * The local file a recorded absolute path stands for: its longest tail found under one of
 * `localRoots` (tried in order). `exists` gets the local path. Undefined when no tail exists.
 */
export function localFileOf(
  recorded: string,
  localRoots: string[],
  exists: (path: string) => boolean,
): { local: string; remote: string; path: string } | undefined {
  if (!/^([A-Za-z]:)?[\\/]/.test(recorded)) return undefined; // relative: nothing to map
  for (const match of recorded.matchAll(/[\\/]/g)) {
    const cut = match.index + 1;
    const tail = recorded.slice(cut).replace(/\\/g, '/');
    if (tail === '') break;
    for (const root of localRoots) {
      const path = `${withSep(root)}${tail}`;
      if (exists(path)) return { local: withSep(root), remote: recorded.slice(0, cut), path };
    }
  }
  return undefined;
}

/** The recorded roots of each local root, from the recorded paths (those found locally). */
export function checkoutRoots(
  recorded: Iterable<string>,
  localRoots: string[],
  exists: (path: string) => boolean,
): RootMapping[] {
  const byLocal = new Map<string, Set<string>>();
  for (const path of recorded) {
    const found = localFileOf(path, localRoots, exists);
    if (!found || found.remote === found.local) continue;
    const remotes = byLocal.get(found.local) ?? new Set<string>();
    remotes.add(found.remote);
    byLocal.set(found.local, remotes);
  }
  return [...byLocal.entries()]
    .map(([local, remotes]) => ({ local, remotes: [...remotes].sort() }))
    .sort((a, b) => compareStrings(a.local, b.local));
}

/** A .coveragerc holding only `[paths]`: one entry per local root, its recorded roots after it. */
export function pathsRc(mappings: RootMapping[]): string {
  const lines = ['[paths]'];
  mappings.forEach((mapping, index) => {
    lines.push(`source${index} =`, ...[mapping.local, ...mapping.remotes].map((r) => `    ${r}`));
  });
  return `${lines.join('\n')}\n`;
}

const isAbsoluteAnywhere = (path: string) => /^([A-Za-z]:)?[\\/]/.test(path);

/**
 * The repository path (`/`-separated, relative to `workspace`) of a file a Cobertura report names:
 * `filename` is relative to one of its `<source>` folders, which may be this checkout, another
 * runner's, or a site-packages (found back under `localRoots`, as the data files' roots are). A file found
 * nowhere keeps its reported path: it still counts, under the name the report gave it.
 * Answers are cached: shards name the same files again and again.
 */
export function reportedFileResolver(where: {
  workspace: string;
  workingDirectory: string;
  localRoots: string[];
  exists: (path: string) => boolean;
}): (filename: string, sources: readonly string[]) => string {
  const cache = new Map<string, string>();
  const inWorkspace = (path: string): string | undefined => {
    const rel = relative(where.workspace, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return rel.split(sep).join('/');
  };
  const find = (candidates: string[]): string => {
    for (const candidate of candidates) {
      // An installed copy (a venv may sit in the checkout): the checkout's own file is meant.
      const installed = /[\\/]site-packages[\\/](.+)$/.exec(candidate);
      const rel = installed
        ? where.localRoots
            .map((root) => `${withSep(root)}${installed[1].replace(/\\/g, '/')}`)
            .filter((path) => where.exists(path))
            .map(inWorkspace)
            .find((path) => path !== undefined)
        : where.exists(candidate)
          ? inWorkspace(candidate)
          : undefined;
      if (rel !== undefined) return rel;
    }
    for (const candidate of candidates) {
      const found = localFileOf(candidate, where.localRoots, where.exists);
      const rel = found && inWorkspace(found.path);
      if (rel !== undefined) return rel;
    }
    return inWorkspace(candidates[0]) ?? candidates[0];
  };
  return (filename, sources) => {
    const candidates = isAbsoluteAnywhere(filename)
      ? [filename]
      : (sources.length > 0 ? sources : ['.']).map((source) =>
          isAbsoluteAnywhere(source)
            ? `${source.replace(/[\\/]+$/, '')}/${filename}`
            : resolve(where.workingDirectory, source, filename),
        );
    const key = candidates.join('\0');
    let path = cache.get(key);
    if (path === undefined) cache.set(key, (path = find(candidates)));
    return path;
  };
}
