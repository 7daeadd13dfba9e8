/**
 * Where a venv is archived from and unpacked to for a backend whose entries are bound to the
 * paths they were saved from (GitHub's: @actions/cache hashes the paths into the entry's version).
 * The save archives a hard-link snapshot of the venv (so the tests running in the venv meanwhile
 * cannot reach the entry), and that snapshot must sit at the same path in every run for the
 * restore to find the entry: a fixed, dot-named sibling of the venv. The restore unpacks there
 * and renames the result into place.
 */
import { basename, dirname, join } from 'node:path';
import type { CacheBackend } from './backend.js';

export function stagingPath(venvPath: string): string {
  return join(dirname(venvPath), `.${basename(venvPath)}.pyci-cache`);
}

/** GitHub's entries are bound to their paths; a local entry unpacks anywhere. */
export function entriesBoundToPaths(backend: Pick<CacheBackend, 'name'>): boolean {
  return backend.name === 'github';
}
