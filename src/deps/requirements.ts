/**
 * Finds the requirement files to install and every file they pull in with `-r`/`-c`, so the
 * cache key can hash all of them. Patterns are paths or globs relative to the working directory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { InputError } from '../runner/errors.js';
import { findFiles, isGlob as hasGlob } from '../runner/files.js';

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

export function resolveRequirementFiles(
  patterns: string[],
  workingDirectory: string,
): RequirementFiles {
  let install: string[];
  if (patterns.length === 0) {
    const fallback = join(workingDirectory, 'requirements.txt');
    install = existsSync(fallback) ? [fallback] : [];
  } else {
    install = patterns.flatMap((pattern) => {
      const isGlob = hasGlob(pattern);
      const found = findFiles(workingDirectory, pattern);
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
    if (!statSync(file).isFile()) {
      // A FIFO or device would block the read below forever.
      throw new InputError(
        `requirements: ${from ? `${from} includes ` : ''}"${relative(workingDirectory, file)}", which is not a regular file. Point it at a requirements file.`,
      );
    }
    all.push(file);
    for (const nested of includedFiles(file, readFileSync(file, 'utf8')))
      visit(nested, relative(workingDirectory, file));
  };
  for (const file of install) visit(file);
  return { install: [...new Set(install)], all };
}
