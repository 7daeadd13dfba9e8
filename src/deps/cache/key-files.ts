/**
 * Gathers every file whose content goes into the cache key: the requirement files (already
 * followed through -r/-c by the installer), the project's own metadata and lock files when
 * present, and the `cache-dependency-path` patterns.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../runner/errors.js';
import { findFiles } from '../../runner/files.js';

/** Project files that change what gets installed, looked for in the working directory. */
export const PROJECT_FILES = [
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'pylock.toml',
  'uv.lock',
  'poetry.lock',
  'pdm.lock',
  'Pipfile.lock',
];

export interface KeyFileSources {
  workingDirectory: string;
  /** Requirement and constraint files, transitively, as the installer resolved them. */
  requirementFiles: string[];
  /** `cache-dependency-path`, one pattern per entry (globs allowed). */
  cacheDependencyPath: string[];
}

/** Absolute paths, unique, in a stable order (the key sorts them anyway). */
export async function collectKeyFiles(sources: KeyFileSources): Promise<string[]> {
  const { workingDirectory } = sources;
  const project = PROJECT_FILES.map((name) => join(workingDirectory, name)).filter((path) =>
    existsSync(path),
  );
  const extra = expandDependencyPatterns(sources.cacheDependencyPath, workingDirectory);
  const all = [
    ...sources.requirementFiles.map((path) => resolve(workingDirectory, path)),
    ...project,
    ...extra,
  ];
  return [...new Set(all)].sort();
}

/**
 * Each pattern must match at least one file: a typo would silently weaken the key. Lines
 * starting with `!` remove files matched by earlier lines; `#` lines are comments.
 */
export function expandDependencyPatterns(patterns: string[], workingDirectory: string): string[] {
  const included: string[] = [];
  const excluded = new Set<string>();
  for (const line of patterns.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'))) {
    const negated = line.startsWith('!');
    const body = negated ? line.slice(1) : line;
    const matched = findFiles(workingDirectory, body);
    if (negated) {
      matched.forEach((path) => excluded.add(path));
    } else if (matched.length === 0) {
      throw new InputError(
        `cache-dependency-path: "${line}" matches no file under ${workingDirectory}. Fix the path or pattern (globs like "constraints/*.txt" are allowed), or remove the line.`,
      );
    } else {
      included.push(...matched);
    }
  }
  return included.filter((path) => !excluded.has(path));
}
