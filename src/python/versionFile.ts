/**
 * Version files: `.python-version` (one spec a line), `pyproject.toml`
 * (`[project].requires-python`) and `.tool-versions` (`python 3.12.1 3.11.7`).
 * The readers of text are pure; `readVersionFile` is the thin file-system edge.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InputError } from '../runner/errors.js';
import { parseVersionSpec, type VersionSpec } from './spec.js';

export type VersionFileKind = 'python-version' | 'pyproject' | 'tool-versions';

/** One spec as written in a file, with its 1-based line for messages. */
export interface VersionFileEntry {
  text: string;
  line: number;
}

export function versionFileKind(path: string): VersionFileKind {
  const name = basename(path);
  if (name === 'pyproject.toml') return 'pyproject';
  if (name === '.tool-versions') return 'tool-versions';
  return 'python-version';
}

function withoutComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash === -1 ? line : line.slice(0, hash)).trim();
}

/** `.python-version`: one spec a line; blank lines and `#` comments ignored. */
export function readPythonVersionText(text: string): VersionFileEntry[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ text: withoutComment(line), line: index + 1 }))
    .filter((entry) => entry.text !== '');
}

/** `.tool-versions` (asdf/mise): the `python` line, one or more versions after the name. */
export function readToolVersionsText(text: string): VersionFileEntry[] {
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const words = withoutComment(lines[index]).split(/\s+/);
    if (words[0] === 'python') {
      return words.slice(1).map((word) => ({ text: word, line: index + 1 }));
    }
  }
  return [];
}

/** The value of a TOML basic or literal string written on one line, e.g. `">=3.10" # note`. */
function tomlString(value: string): string | undefined {
  const match = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(value.trim());
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(["\\])/g, '$1') : match[2];
}

/**
 * `[project].requires-python` of a pyproject.toml. A line reader, not a TOML parser: it knows
 * table headers and one-line `key = "string"` pairs, which is all this key ever needs.
 */
export function readPyprojectText(text: string): VersionFileEntry[] {
  let inProject = false;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header && !line.startsWith('[[')) {
      inProject = header[1] === 'project';
      continue;
    }
    if (line.startsWith('[[')) {
      inProject = false;
      continue;
    }
    if (!inProject) continue;
    const pair = /^["']?requires-python["']?\s*=\s*(.*)$/.exec(line);
    if (pair) {
      const value = tomlString(pair[1]);
      return value === undefined || value.trim() === ''
        ? []
        : [{ text: value.trim(), line: index + 1 }];
    }
  }
  return [];
}

export function readVersionFileText(kind: VersionFileKind, text: string): VersionFileEntry[] {
  if (kind === 'pyproject') return readPyprojectText(text);
  if (kind === 'tool-versions') return readToolVersionsText(text);
  return readPythonVersionText(text);
}

function whatWasMissing(kind: VersionFileKind): string {
  if (kind === 'pyproject')
    return 'has no [project] requires-python (add requires-python = ">=3.10")';
  if (kind === 'tool-versions') return 'has no "python" line (add e.g. "python 3.12.1")';
  return 'has no version in it (write one per line, e.g. 3.12)';
}

export interface VersionFileOptions {
  allowPrereleases: boolean;
  /** The input that named the file, for messages: `python-version-file` or the implicit default. */
  input?: string;
}

/**
 * Reads a version file (relative paths are resolved against `workingDirectory`) into specs,
 * in file order. Throws InputError naming `python-version-file` when the file is missing,
 * holds no version, or holds one that is not valid.
 */
export function readVersionFile(
  file: string,
  workingDirectory: string,
  options: VersionFileOptions,
): VersionSpec[] {
  const input = options.input ?? 'python-version-file';
  const path = resolve(workingDirectory, file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError(
      `${input} "${file}" does not exist (looked for ${path}). ` +
        'Give a path relative to working-directory, or leave python-version-file empty.',
    );
  }
  const kind = versionFileKind(path);
  const entries = readVersionFileText(kind, readFileSync(path, 'utf8'));
  if (entries.length === 0) {
    throw new InputError(`${input} "${file}" ${whatWasMissing(kind)}.`);
  }
  return entries.map((entry) =>
    parseVersionSpec(entry.text, {
      allowPrereleases: options.allowPrereleases,
      origin: `${input} ${file}:${entry.line}`,
      syntax: kind === 'pyproject' ? 'pep440' : 'auto',
    }),
  );
}
