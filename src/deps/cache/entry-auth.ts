/**
 * Authenticity of local cache entries (pure). Anyone who can write to the cache directory (on a
 * self-hosted runner: any test run, pull requests included) could plant an archive and a matching
 * checksum; a later trusted run would then execute it. Each entry therefore carries an HMAC-SHA256
 * over its key, archive name, archive sha256, the time it was written and the event that wrote
 * it, made with a secret kept outside the workspace and the cache directory (see secret.ts and
 * docs/cache.md). The record also carries the key and time in clear, so that a directory listing
 * (whose file names hash long keys) can be mapped back to keys: `readAuthRecord`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Who wrote an entry: the event, and whether that event runs only the repository's own code. */
export interface EntryWriter {
  event: string;
  trusted: boolean;
}

export interface EntryFields {
  key: string;
  archive: string;
  sha256: string;
}

/** Version 1 (no key, no time in the record) was written before entries had generations. */
const VERSION = 2;

function mac(secret: Buffer, fields: EntryFields, written: number, writer: EntryWriter): string {
  const message = JSON.stringify([
    VERSION,
    fields.key,
    fields.archive,
    fields.sha256,
    written,
    writer.event,
    writer.trusted,
  ]);
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** The entry's `.auth` file's text; `written` is the save's time (ms since the epoch). */
export function authRecord(
  secret: Buffer,
  fields: EntryFields,
  writer: EntryWriter,
  written: number,
): string {
  const record = { version: VERSION, key: fields.key, written, ...writer };
  return `${JSON.stringify({ ...record, mac: mac(secret, fields, written, writer) })}\n`;
}

interface RawRecord {
  version?: unknown;
  key?: unknown;
  written?: unknown;
  event?: unknown;
  trusted?: unknown;
  mac?: unknown;
}

function parse(text: string): RawRecord | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The key and time a record claims, NOT yet authenticated (check with `checkAuthRecord` and
 * that key before trusting either); undefined when the record is not of this version.
 */
export function readAuthRecord(text: string): { key: string; written: number } | undefined {
  const record = parse(text);
  if (record?.version !== VERSION) return undefined;
  if (typeof record.key !== 'string' || typeof record.written !== 'number') return undefined;
  return { key: record.key, written: record.written };
}

export type AuthCheck = { ok: true; writer: EntryWriter } | { ok: false; reason: string };

/**
 * Checks an entry's auth record; `readerTrusted` runs never take entries written by untrusted
 * events (a pull request's environment must not reach main).
 */
export function checkAuthRecord(
  text: string | undefined,
  secret: Buffer,
  fields: EntryFields,
  readerTrusted: boolean,
): AuthCheck {
  if (text === undefined) return { ok: false, reason: 'it has no authentication record' };
  const record = parse(text);
  if (record?.version === 1) {
    return { ok: false, reason: 'it was saved by an earlier version of the action' };
  }
  if (
    record?.version !== VERSION ||
    typeof record.key !== 'string' ||
    typeof record.written !== 'number' ||
    typeof record.event !== 'string' ||
    typeof record.trusted !== 'boolean' ||
    typeof record.mac !== 'string'
  ) {
    return { ok: false, reason: 'its authentication record is malformed' };
  }
  const writer = { event: record.event, trusted: record.trusted };
  const expected = Buffer.from(mac(secret, fields, record.written, writer), 'hex');
  const given = Buffer.from(record.mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason:
        'its authentication code does not match (it was not written by this runner, or was changed since)',
    };
  }
  if (readerTrusted && !writer.trusted) {
    return {
      ok: false,
      reason: `it was written by a ${writer.event || 'untrusted'} run, and this trusted run only takes entries written by trusted events`,
    };
  }
  return { ok: true, writer };
}
