/** The thin edge that turns the files shaping an environment into `{path, sha256}` for the key. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../../runner/errors.js';
import type { HashedFile } from './key.js';

/**
 * Streams each file through sha256 (lock files can be large). Paths in the result are relative to
 * `workingDirectory` with `/` separators, so the key is about content, not about where the
 * checkout happens to live (the venv path, which is absolute, is in the key separately).
 * Duplicates are hashed once. A file that cannot be read is an InputError naming it.
 */
export async function hashFiles(
  paths: string[],
  workingDirectory: string = process.cwd(),
): Promise<HashedFile[]> {
  const unique = [...new Set(paths.map((path) => resolve(workingDirectory, path)))];
  return Promise.all(
    unique.map(async (absolute) => ({
      path: displayPath(absolute, workingDirectory),
      sha256: await sha256OfFile(absolute),
    })),
  );
}

/** sha256 (hex) of a file's bytes, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  // Only regular files: a FIFO or device would block the read (and the run) forever.
  const kind = await stat(path).then(
    (info) => (info.isFile() ? undefined : 'not a regular file'),
    () => undefined, // the read below reports it
  );
  if (kind) {
    throw new InputError(
      `Cannot read ${path} to build the cache key (${kind}). Check requirements and cache-dependency-path: every file they name must be a regular file.`,
    );
  }
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InputError(
      `Cannot read ${path} to build the cache key (${reason}). Check requirements and cache-dependency-path: every file they name must exist and be readable.`,
    );
  }
  return hash.digest('hex');
}

function displayPath(absolute: string, workingDirectory: string): string {
  const inside = relative(resolve(workingDirectory), absolute);
  // Files outside the working directory keep their absolute path: `../..` chains say less.
  const shown = inside === '' || inside.startsWith('..') || isAbsolute(inside) ? absolute : inside;
  return shown.split(sep).join('/');
}
