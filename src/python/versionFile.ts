/**
 * Version files: `.python-version` (one spec a line), `pyproject.toml`
 * (`[project].requires-python`) and `.tool-versions` (`python 3.12.1 3.11.7`).
 * The readers of text are pure; `readVersionFile` is the thin file-system edge.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
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

/**
 * Largest file read as a version file. Real ones are a few lines (a pyproject.toml a few KiB);
 * the cap is read, not trusted from stat, since /proc files say they are empty.
 */
export const MAX_VERSION_FILE_BYTES = 256 * 1024;

/** Characters version specs are written with (3.12, >=3.10,<3.13, 3.x, 3.14.0rc1, pypy3.10). */
const SPEC_CHARACTERS = /^[0-9A-Za-z.*<>=!~,^+ -]+$/;
const MAX_SPEC_LENGTH = 64;
/** Longest part between commas or spaces; tokens and keys are longer than any version. */
const MAX_SPEC_PART_LENGTH = 20;
/** `=` outside an operator (==, >=, <=, !=, ~=): `KEY=value`, never a version. */
const BARE_EQUALS = /(^|[^<>=!~])=(?!=)/;

/**
 * Whether a line could be a version spec at all. Only such lines are ever echoed in an error:
 * python-version-file may point at any file (a secret, /etc/passwd), and errors are annotations.
 */
export function looksLikeSpec(text: string): boolean {
  return (
    text.length <= MAX_SPEC_LENGTH &&
    SPEC_CHARACTERS.test(text) &&
    !BARE_EQUALS.test(text) &&
    text.split(/[,\s]+/).every((part) => part.length <= MAX_SPEC_PART_LENGTH)
  );
}

function escapeCharacter(char: string): string {
  if (char === '\\') return '\\\\';
  if (char === '%') return '\\x25';
  // Control, format (bidi) and line/paragraph separators: shown as code points.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(char))
    return `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`;
  return char;
}

/**
 * The part of an offending line an error may show: its first word, at most `max` characters,
 * control characters, `%` and `::` escaped, so it cannot issue or bend a workflow command.
 */
export function safeExcerpt(line: string, max = 40): string {
  const chars = [...(line.trim().split(/\s+/)[0] ?? '')];
  const shown = chars.slice(0, max).map(escapeCharacter).join('').replace(/::/g, ':\\x3a');
  return chars.length > max ? `${shown}...` : shown;
}

/** The file's text, or why it is not a text file of a sane size (never its content). */
function readText(path: string): { text: string } | { problem: string } {
  const buffer = Buffer.alloc(MAX_VERSION_FILE_BYTES + 1);
  let size = 0;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    for (let read = -1; read !== 0 && size < buffer.length; size += read) {
      read = readSync(fd, buffer, size, buffer.length - size, null);
    }
  } finally {
    closeSync(fd);
  }
  if (size > MAX_VERSION_FILE_BYTES)
    return {
      problem: `is larger than ${MAX_VERSION_FILE_BYTES / 1024} KiB, too big for a version file`,
    };
  const bytes = buffer.subarray(0, size);
  if (bytes.includes(0)) return { problem: 'is not a text file (it holds binary data)' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { problem: 'is not a text file (it is not UTF-8)' };
  }
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
  const fix = `Point ${input} at a .python-version, pyproject.toml or .tool-versions file.`;
  const read = readText(path);
  if ('problem' in read) throw new InputError(`${input} "${file}" ${read.problem}. ${fix}`);
  const kind = versionFileKind(path);
  const entries = readVersionFileText(kind, read.text);
  if (entries.length === 0) {
    throw new InputError(`${input} "${file}" ${whatWasMissing(kind)}.`);
  }
  // Any name but pyproject.toml and .tool-versions is read a version a line, so it may be any
  // file at all: one line that cannot be a version and the error shows none of it.
  const strange = entries.find((entry) => !looksLikeSpec(entry.text));
  if (kind === 'python-version' && strange) {
    throw new InputError(
      `${input} "${file}" is not a version file: line ${strange.line} cannot be a Python version (such as 3.12 or >=3.10); its content is not shown. ${fix}`,
    );
  }
  return entries.map((entry) => {
    const origin = `${input} ${file}:${entry.line}`;
    if (!looksLikeSpec(entry.text)) {
      throw new InputError(
        `${origin} "${safeExcerpt(entry.text)}" is not a valid Python version: the line has characters or a length no version has. Write one version a line, e.g. 3.12.`,
      );
    }
    return parseVersionSpec(entry.text, {
      allowPrereleases: options.allowPrereleases,
      origin,
      syntax: kind === 'pyproject' ? 'pep440' : 'auto',
    });
  });
}
