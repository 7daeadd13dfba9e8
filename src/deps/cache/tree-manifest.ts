/**
 * The manifest of a local entry's hard-link tree (pure): every entry of the tree as it was when
 * the save's snapshot was taken (path, type, mode, size, mtime in ns, inode, symlink target),
 * authenticated with the entry's secret and bound to its generation (key, archive name, archive
 * sha256), so that a manifest cannot be planted, edited or moved beside another generation.
 * A restore links the tree only when every entry still matches (local-tree.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EntryFields } from './entry-auth.js';

/** One entry of the tree; `path` is relative, '.' for the tree itself. */
export interface TreeEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  size: number;
  /** As decimal strings: both exceed 2^53 on some file systems. */
  mtimeNs: string;
  ino: string;
  /** Symlinks only. */
  target?: string;
}

const VERSION = 1;

type Row = [string, TreeEntry['type'], number, number, string, string, string?];

function rows(entries: readonly TreeEntry[]): Row[] {
  return entries.map((e) => {
    const row: Row = [e.path, e.type, e.mode, e.size, e.mtimeNs, e.ino];
    if (e.target !== undefined) row.push(e.target);
    return row;
  });
}

function mac(secret: Buffer, fields: EntryFields, body: string): string {
  const digest = createHash('sha256').update(body).digest('hex');
  const message = JSON.stringify([
    VERSION,
    'tree',
    fields.key,
    fields.archive,
    fields.sha256,
    digest,
  ]);
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** The manifest file's text. */
export function manifestText(
  secret: Buffer,
  fields: EntryFields,
  entries: readonly TreeEntry[],
): string {
  const body = JSON.stringify(rows(entries));
  return `${JSON.stringify({ version: VERSION, mac: mac(secret, fields, body) })}\n${body}\n`;
}

/**
 * The entries of an authentic manifest of this generation, by path; otherwise why not (the tree
 * is then not used: the archive is).
 */
export function readManifest(
  text: string,
  secret: Buffer,
  fields: EntryFields,
): Map<string, TreeEntry> | string {
  const newline = text.indexOf('\n');
  const body = text.slice(newline + 1).replace(/\n$/, '');
  let header: { version?: unknown; mac?: unknown };
  let parsed: unknown;
  try {
    header = JSON.parse(text.slice(0, newline)) as typeof header;
    parsed = JSON.parse(body);
  } catch {
    return 'its manifest is malformed';
  }
  if (header?.version !== VERSION || typeof header.mac !== 'string' || !Array.isArray(parsed))
    return 'its manifest is malformed';
  const expected = Buffer.from(mac(secret, fields, body), 'hex');
  const given = Buffer.from(header.mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'its manifest is not authentic';
  const entries = new Map<string, TreeEntry>();
  for (const row of parsed as Row[]) {
    const [path, type, mode, size, mtimeNs, ino, target] = row;
    entries.set(path, { path, type, mode, size, mtimeNs, ino, target });
  }
  return entries;
}
