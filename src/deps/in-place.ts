/**
 * Reusing a venv in place (self-hosted runners keep `venv-path` between jobs): after the stage
 * has a verified venv, a marker in it records the key and a digest of what verification checks
 * (interpreter version and the installed distributions, name and version). The next run with
 * the same key reuses the venv without unpacking anything when the marker is authentic and the
 * venv still matches it and passes verification; any other venv there is deleted as before.
 *
 * The marker is authenticated like a local cache entry (entry-auth.ts, with the same secret), and
 * records whether the run that wrote it was trusted. Every run writes its own marker before its
 * tests, so a venv an untrusted run (a pull request) used is marked untrusted, and trusted runs
 * do not reuse it. The same limits apply as to
 * local entries: a test that can read the secret can forge a marker (see docs/cache.md).
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../runner/errors.js';
import { listDistributions, normalizeName } from './checkout-check.js';
import { authRecord, checkAuthRecord, type EntryWriter } from './cache/entry-auth.js';
import { verifyRestoredVenv } from './cache/verify.js';
import { venvPython } from './venv.js';

/** Inside the venv, so it goes wherever the venv goes and is deleted with it. */
export const MARKER_FILE = '.pyci-in-place.json';

export interface InPlaceAuth {
  secret: Buffer;
  /** This run, as writer of the marker and as reader of an existing one. */
  run: EntryWriter;
}

/** What verification checks, as one digest: the interpreter's version and every distribution. */
export function stateDigest(
  pythonVersion: string,
  dists: readonly { name: string; version: string }[],
): string {
  const listed = dists.map((d) => `${normalizeName(d.name)}==${d.version}`).sort();
  return createHash('sha256')
    .update(JSON.stringify([pythonVersion, listed]))
    .digest('hex');
}

async function currentDigest(venvPath: string, pythonVersion: string): Promise<string> {
  return stateDigest(pythonVersion, await listDistributions(venvPython(venvPath)));
}

/** The fields the marker's code covers: the key, the venv's path, the digest. */
function fields(key: string, venvPath: string, digest: string) {
  return { key, archive: `in-place:${venvPath}`, sha256: digest };
}

/** Records the venv as it is now (verified) for the key. Failing to write it only costs reuse. */
export async function writeMarker(
  venvPath: string,
  key: string,
  pythonVersion: string,
  auth: InPlaceAuth,
  /** The venv's stateDigest when the caller has just computed it (checkInPlace's). */
  known?: string,
): Promise<void> {
  const digest = known ?? (await currentDigest(venvPath, pythonVersion));
  const record = authRecord(auth.secret, fields(key, venvPath, digest), auth.run, Date.now());
  // Replaced by rename, never rewritten in place: a venv restored from a local entry's tree
  // shares its files with the tree, and an in-place write would spoil the tree (local-tree.ts).
  const temp = join(venvPath, `${MARKER_FILE}.${process.pid}.tmp`);
  await writeFile(temp, record);
  await rename(temp, join(venvPath, MARKER_FILE));
}

/** `digest`: the venv's stateDigest as checked, for the marker written after reuse. */
export type InPlaceVerdict = { reuse: true; digest: string } | { reuse: false; why?: string };

/**
 * Whether the venv at `venvPath` can be reused for `key` as it is, and why not (no reason when
 * it has no marker: nothing there was left by this action). Never rejects.
 */
export async function checkInPlace(
  venvPath: string,
  key: string,
  pythonVersion: string,
  auth: InPlaceAuth,
): Promise<InPlaceVerdict> {
  const text = await readFile(join(venvPath, MARKER_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return { reuse: false };
  try {
    const recorded = JSON.parse(text) as { key?: unknown };
    if (recorded.key !== key) return { reuse: false, why: 'it was prepared for another cache key' };
    const problem = await verifyRestoredVenv(venvPath, pythonVersion);
    if (problem) return { reuse: false, why: `it failed verification (${problem})` };
    const digest = await currentDigest(venvPath, pythonVersion);
    const check = checkAuthRecord(
      text,
      auth.secret,
      fields(key, venvPath, digest),
      auth.run.trusted,
    );
    // A changed distribution set shows as a code mismatch: the digest is part of what it covers.
    if (!check.ok)
      return {
        reuse: false,
        why: `its marker does not vouch for it as it is now (${check.reason}; the installed distributions may have changed since it was prepared)`,
      };
    return { reuse: true, digest };
  } catch (error) {
    return { reuse: false, why: `its marker cannot be read (${errorMessage(error)})` };
  }
}
