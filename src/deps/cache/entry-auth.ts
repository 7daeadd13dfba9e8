/**
 * Authenticity of local cache entries (pure). Anyone who can write to the cache directory (on a
 * self-hosted runner: any test run, pull requests included) could plant an archive and a matching
 * checksum; a later trusted run would then execute it. Each entry therefore carries an HMAC-SHA256
 * over its key, archive name, archive sha256 and the event that wrote it, made with a secret kept
 * outside the workspace and the cache directory (see secret.ts and docs/cache.md).
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

const VERSION = 1;

function mac(secret: Buffer, fields: EntryFields, writer: EntryWriter): string {
  const message = JSON.stringify([
    VERSION,
    fields.key,
    fields.archive,
    fields.sha256,
    writer.event,
    writer.trusted,
  ]);
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** The `<entry>.auth` file's text. */
export function authRecord(secret: Buffer, fields: EntryFields, writer: EntryWriter): string {
  return `${JSON.stringify({ version: VERSION, ...writer, mac: mac(secret, fields, writer) })}\n`;
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
  let record: { version?: unknown; event?: unknown; trusted?: unknown; mac?: unknown };
  try {
    record = JSON.parse(text) as typeof record;
  } catch {
    return { ok: false, reason: 'its authentication record is malformed' };
  }
  if (
    record.version !== VERSION ||
    typeof record.event !== 'string' ||
    typeof record.trusted !== 'boolean' ||
    typeof record.mac !== 'string'
  ) {
    return { ok: false, reason: 'its authentication record is malformed' };
  }
  const writer = { event: record.event, trusted: record.trusted };
  const expected = Buffer.from(mac(secret, fields, writer), 'hex');
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
