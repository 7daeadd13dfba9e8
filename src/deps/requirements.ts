/**
 * Finds the requirement files to install and every file they pull in with `-r`/`-c`, so the
 * cache key can hash all of them. Patterns are paths or globs relative to the working directory.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { minimatch } from 'minimatch';
import { InputError } from '../runner/errors.js';

export interface RequirementFiles {
  /** Files passed to `pip install -r`, in the order given. */
  install: string[];
  /** Every file the install depends on: the above plus nested -r/-c includes, deduplicated. */
  all: string[];
}

const INCLUDE = /^\s*(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/;

/** Paths named by `-r`/`-c` lines of one requirements file, resolved against its folder. */
export function includedFiles(file: string, text: string): string[] {
  const found: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = INCLUDE.exec(line.replace(/\s+#.*$/, ''));
    if (match && !/^[a-z]+:\/\//i.test(match[1])) found.push(resolve(dirname(file), match[1]));
  }
  return found;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox']);

/** Files under `root` matching a glob, skipping virtualenvs and VCS folders, sorted. */
function globFiles(root: string, pattern: string): string[] {
  const matches: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(path);
      } else if (minimatch(relative(root, path), pattern, { dot: true })) {
        matches.push(path);
      }
    }
  };
  walk(root);
  return matches.sort();
}

export function resolveRequirementFiles(patterns: string[], workingDirectory: string): RequirementFiles {
  let install: string[];
  if (patterns.length === 0) {
    const fallback = join(workingDirectory, 'requirements.txt');
    install = existsSync(fallback) ? [fallback] : [];
  } else {
    install = patterns.flatMap((pattern) => {
      const isGlob = /[*?[\]{}]/.test(pattern);
      const found = isGlob
        ? globFiles(workingDirectory, pattern)
        : [isAbsolute(pattern) ? pattern : resolve(workingDirectory, pattern)].filter((f) => existsSync(f));
      if (found.length === 0) {
        throw new InputError(
          `requirements: ${isGlob ? 'no file matches' : 'file not found:'} "${pattern}" (relative to ${workingDirectory}). Fix the path or remove it from the requirements input.`,
        );
      }
      return found;
    });
  }

  const all: string[] = [];
  const visit = (file: string, from?: string) => {
    if (all.includes(file)) return;
    if (!existsSync(file)) {
      throw new InputError(
        `requirements: ${from} includes "${relative(workingDirectory, file)}", which does not exist. Fix the -r/-c line in ${from}.`,
      );
    }
    all.push(file);
    for (const nested of includedFiles(file, readFileSync(file, 'utf8'))) visit(nested, relative(workingDirectory, file));
  };
  for (const file of install) visit(file);
  return { install: [...new Set(install)], all };
}
