/**
 * Local paths that requirement files (and the packages and pip-args inputs) install from:
 * `./mylib`, `-e ../pkg`, a wheel file, `--find-links dir`, `file:` URLs, `name @ file:///...`.
 * pip copies them into the venv, so their content must be part of the cache key: otherwise a
 * restored venv keeps the old copy after the folder changes (pure; paths come back absolute).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ARCHIVE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i;
const EDITABLE = /^(?:-e|--editable)(?:\s*=\s*|\s+)(\S+)/;
const FIND_LINKS = /^(?:-f|--find-links)(?:\s*=\s*|\s+)(\S+)/;
/** `https://`, `git+ssh://`, ... (two letters at least, so `C:\\` is not a scheme). */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;
const DIRECT_URL = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@\s*(\S+)/;

/** A `file:` URL as a path (`file:///abs`, `file:rel`); undefined for other schemes. */
function fileUrlPath(url: string, base: string): string | undefined {
  if (!/^file:/i.test(url)) return undefined;
  const bare = url.replace(/#.*$/, '');
  if (/^file:\/\//i.test(bare)) {
    try {
      return fileURLToPath(bare);
    } catch {
      return undefined;
    }
  }
  return resolve(base, decodeURIComponent(bare.slice('file:'.length)));
}

/**
 * What pip takes for a path: it has a separator, starts with `.`, or names an archive. Markers
 * (` ; python_version...`) and extras (`[test]`) are not part of it.
 */
function pathOf(target: string, base: string): string | undefined {
  if (target.includes('${')) return undefined; // expanded by pip from the environment: unknowable
  const viaUrl = fileUrlPath(target, base);
  if (viaUrl !== undefined) return viaUrl;
  if (URL_SCHEME.test(target)) return undefined;
  const bare = target.replace(/\[[^\]]*\]$/, '');
  const looksLikePath =
    bare.includes('/') || bare.includes('\\') || bare.startsWith('.') || ARCHIVE.test(bare);
  if (!looksLikePath) return undefined;
  return isAbsolute(bare) ? bare : resolve(base, bare);
}

/** One requirement line or `packages` entry (no option other than -e/-f). */
export function localPathOfLine(
  line: string,
  workingDirectory: string,
  fileDir: string,
  exists: (path: string) => boolean = () => false,
): string | undefined {
  const text = line.trim();
  const editable = EDITABLE.exec(text);
  if (editable) return pathOf(editable[1], workingDirectory);
  const links = FIND_LINKS.exec(text);
  if (links) {
    const value = links[1];
    if (value.includes('${') || (URL_SCHEME.test(value) && !/^file:/i.test(value)))
      return undefined;
    const viaUrl = fileUrlPath(value, workingDirectory);
    if (viaUrl !== undefined) return viaUrl;
    // pip reads a relative find-links path against the requirement file's folder when it exists
    // there, else against the working directory.
    const nextToFile = resolve(fileDir, value);
    return exists(nextToFile) ? nextToFile : resolve(workingDirectory, value);
  }
  if (text.startsWith('-')) return undefined; // -r/-c (followed elsewhere), --index-url, ...
  // Per-requirement options (`--hash=...`) and markers (` ; ...`) follow the target.
  const target = text
    .split(/\s+(?:--|;)/)[0]
    .replace(/;.*$/, '')
    .trim();
  const direct = DIRECT_URL.exec(target);
  if (direct) return fileUrlPath(direct[1], workingDirectory);
  return pathOf(target.split(/\s+/)[0], workingDirectory);
}

/** Logical lines of a requirement file: continuations joined, comments dropped. */
function logicalLines(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Local paths named in one requirement file. Relative paths are pip's: the working directory's. */
export function localPathsInFile(
  file: string,
  text: string,
  workingDirectory: string,
  exists?: (path: string) => boolean,
): string[] {
  return logicalLines(text)
    .map((line) => localPathOfLine(line, workingDirectory, dirname(file), exists))
    .filter((path): path is string => path !== undefined);
}

/** Local paths in pip arguments (`pip-args`: `-f dir`, `--find-links=dir`, `-e path`). */
export function localPathsInArgs(args: string[], workingDirectory: string): string[] {
  const found: string[] = [];
  args.forEach((arg, i) => {
    const joined = /^(-e|--editable|-f|--find-links)$/.test(arg)
      ? `${arg} ${args[i + 1] ?? ''}`
      : arg;
    if (!/^(-e|--editable|-f|--find-links)([= ]|$)/.test(joined)) return;
    const path = localPathOfLine(joined, workingDirectory, workingDirectory);
    if (path) found.push(path);
  });
  return found;
}
