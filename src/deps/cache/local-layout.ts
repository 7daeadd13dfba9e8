/**
 * File names of the local cache directory (pure). An entry of key K, base name B (entryFileNames):
 *
 *     B.sha256              `<sha256>  B.<gen>.tar.zst`: names the current generation, renamed in last
 *     B.<gen>.tar.zst       one generation's archive (`.tar` without zstd), never changed once named
 *     B.<gen>.auth          that generation's HMAC record (entry-auth.ts), never changed once named
 *     B.<gen>.tree/         optional: the saved venv as hard links, restored by linking (local-tree.ts)
 *     B.<gen>.tree.json     the tree's manifest, authenticated and bound to the generation
 *     B.used                empty; its mtime is the last restore (access times are often off)
 *     B.lock/               a save or a pruning holds the entry (local-lock.ts)
 *     .tmp-*                files being written (or left by an interrupted save)
 *
 * A save writes a new generation beside the old one and then swaps the one-line `.sha256` file,
 * so a reader that read it holds a consistent (archive, checksum, record) triple: nothing it
 * names is ever rewritten, only removed after the swap (the reader then reads the pointer again).
 * Entries saved before generations (`B.tar.zst`, `B.auth`) are recognized, never restored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ARCHIVE_EXTENSION, type Compression } from './archive.js';

export interface EntryNames {
  base: string;
  /** The pointer: `sha256sum -c` format, naming the current generation's archive. */
  checksum: string;
  used: string;
  lock: string;
}

/**
 * File names for a key: its readable part made safe for every file system, cut to stay well
 * under 255 bytes, plus 16 hex of the key's sha256 so sanitizing can never merge two keys.
 */
export function entryFileNames(key: string): EntryNames {
  const readable = key
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 160);
  const base = `${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  return { base, checksum: `${base}.sha256`, used: `${base}.used`, lock: `${base}.lock` };
}

export function newGeneration(): string {
  return randomBytes(6).toString('hex');
}

/** The archive and record of one generation. */
export function generationFiles(
  base: string,
  generation: string,
  compression: Compression,
): { archive: string; auth: string; tree: string; manifest: string } {
  return {
    archive: `${base}.${generation}${ARCHIVE_EXTENSION[compression]}`,
    ...sideFiles(base, generation),
  };
}

/** A generation's files besides its archive: the record, and the optional tree and manifest. */
function sideFiles(base: string, generation: string) {
  const stem = `${base}.${generation}`;
  return { auth: `${stem}.auth`, tree: `${stem}.tree`, manifest: `${stem}.tree.json` };
}

export type Pointer =
  | {
      sha256: string;
      archive: string;
      auth: string;
      tree: string;
      manifest: string;
      generation: string;
      compression: Compression;
    }
  | { legacy: true };

/**
 * Reads `<hex>  <file>`; the file must be one of this entry's own archives (no path tricks).
 * An archive without a generation is an entry saved by an earlier version: `{ legacy: true }`.
 */
export function parseChecksumFile(text: string, base: string): Pointer | undefined {
  const match = /^([0-9a-f]{64}) [ *](\S+)\s*$/.exec(text);
  if (!match) return undefined;
  const [, sha256, archive] = match;
  for (const compression of ['zstd', 'none'] as const) {
    const extension = ARCHIVE_EXTENSION[compression];
    if (archive === base + extension) return { legacy: true };
    const generation = archive.startsWith(`${base}.`)
      ? archive.slice(base.length + 1, archive.length - extension.length)
      : '';
    if (archive.endsWith(extension) && /^[0-9a-f]{12}$/.test(generation)) {
      return { sha256, archive, ...sideFiles(base, generation), generation, compression };
    }
  }
  return undefined;
}

export type FileRole = 'pointer' | 'generation' | 'legacy' | 'used' | 'lock';

/**
 * Which entry a directory name belongs to, and as what; undefined for temp files and names
 * that are not the cache's. The base always ends in `-<16 hex>`, which keeps apart a key's
 * files from those of a longer key that starts with the same readable text.
 */
export function classifyName(
  name: string,
): { base: string; role: FileRole; generation?: string } | undefined {
  const match =
    /^(.+-[0-9a-f]{16})(?:\.([0-9a-f]{12}))?\.(sha256|used|lock|auth|tar|tar\.zst|tree|tree\.json)$/.exec(
      name,
    );
  if (!match || name.startsWith('.')) return undefined;
  const [, base, generation, suffix] = match;
  if (generation) {
    return suffix === 'auth' || suffix.startsWith('tar') || suffix.startsWith('tree')
      ? { base, role: 'generation', generation }
      : undefined;
  }
  const roles: Record<string, FileRole> = {
    sha256: 'pointer',
    used: 'used',
    lock: 'lock',
    auth: 'legacy',
    tar: 'legacy',
    'tar.zst': 'legacy',
  };
  return suffix in roles ? { base, role: roles[suffix] } : undefined;
}

/** Temp files of saves and broken locks: `.tmp-<uuid>...`. */
export function isTempName(name: string): boolean {
  return name.startsWith('.tmp-');
}
