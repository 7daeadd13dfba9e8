/**
 * Gathers every file whose content goes into the cache key: the requirement files (already
 * followed through -r/-c by the installer), the project's own metadata and lock files when
 * present, and the `cache-dependency-path` patterns; and the local paths requirements install
 * from (hashed as trees by hash-tree.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../runner/errors.js';
import { findFiles } from '../../runner/files.js';
import { localPathOfLine, localPathsInArgs, localPathsInFile } from '../local-paths.js';

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
export function collectKeyFiles(sources: KeyFileSources): string[] {
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

export interface LocalPathSources {
  workingDirectory: string;
  /** Requirement and constraint files, transitively. */
  requirementFiles: string[];
  /** The `packages` input and `pip-args`, which may name local paths too. */
  packages: string[];
  pipArgs: string[];
  /** Whether the project itself is installed (and so reinstalled over every restored venv). */
  projectInstalled: boolean;
}

/**
 * Local folders and files pip installs from, named by the requirement files, `packages` or
 * `pip-args`. The working directory itself is left out when the project is installed: it is
 * reinstalled from the checkout over every restored venv, and hashing it would change the key on
 * every commit.
 */
export function collectLocalPaths(sources: LocalPathSources): string[] {
  const { workingDirectory } = sources;
  const found = [
    ...sources.requirementFiles.flatMap((file) =>
      localPathsInFile(file, readFileSync(file, 'utf8'), workingDirectory, existsSync),
    ),
    ...sources.packages.flatMap(
      (spec) => localPathOfLine(spec, workingDirectory, workingDirectory) ?? [],
    ),
    ...localPathsInArgs(sources.pipArgs, workingDirectory),
  ];
  const project = resolve(workingDirectory);
  return [...new Set(found)]
    .filter((path) => !(sources.projectInstalled && resolve(path) === project))
    .sort();
}
