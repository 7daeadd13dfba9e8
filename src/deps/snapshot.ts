/**
 * A hard-link copy of a directory: the cache is archived from it while the tests run in the
 * original. New files, deleted files and files replaced by rename (how Python writes .pyc
 * files and pip installs) do not reach the copy; only a write into an existing file in place
 * would. Making it costs one link per file, no data is copied.
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Builds `target` (must not exist) as a hard-link copy of `source`; throws if links fail. */
export function linkSnapshot(source: string, target: string): void {
  mkdirSync(target, { mode: lstatSync(source).mode & 0o7777 });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) linkSnapshot(from, to);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (entry.isFile()) linkSync(from, to);
    // Sockets, FIFOs and devices have no place in a venv, and tar would not restore them usefully.
  }
}
