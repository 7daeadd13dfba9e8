/**
 * A cache in a plain directory, for self-hosted runners and local runs. An entry is two files:
 *
 *     <name>.tar.zst   (or <name>.tar without zstd)   the directory's contents
 *     <name>.sha256    `<hex>  <archive file name>`   (the `sha256sum -c` format), written last
 *
 *     <name>.auth      HMAC of key, archive and sha256, with the writer's event (entry-auth.ts)
 *
 * All are written to temp files in the cache directory and renamed into place, so a reader
 * never sees half an entry; an archive without its checksum file is not an entry yet. Restores
 * unpack into a temp sibling of the target and rename it into place only when the bytes read
 * match the checksum, so a corrupted entry leaves nothing behind. Nothing is pruned yet: the
 * directory grows by one entry per distinct key (see docs/cache.md).
 */
import { randomUUID, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  ARCHIVE_EXTENSION,
  createArchive,
  detectCompression,
  extractArchive,
  type Compression,
} from './archive.js';
import { errorMessage } from '../../runner/errors.js';
import { coreLog } from '../../runner/log.js';
import { firstOccupiedPath, type CacheBackend, type CacheLog } from './backend.js';
import { authRecord, checkAuthRecord, type EntryWriter } from './entry-auth.js';
import { isTrustedEvent, type CacheEvent } from './policy.js';
import { loadCacheSecret } from './secret.js';

/** What authenticates entries: the secret, and the event of this run (as writer and reader). */
export interface LocalCacheAuth {
  /** The secret, or why there is none (then the local cache is off for the run, with a warning). */
  secret: Buffer | Error;
  run: EntryWriter;
}

export interface LocalCacheOptions {
  log?: CacheLog;
  /** Defaults to zstd when the binary exists; tests force either format. */
  compression?: Compression;
  /** Default: the key file in the home folder (or `secretInput`), the event from the environment. */
  auth?: LocalCacheAuth;
  /** The `cache-local-secret` input ('' or undefined: the key file). */
  secretInput?: string;
  /** The run's event, recorded as the writer of what it saves (default: GITHUB_EVENT_NAME). */
  event?: CacheEvent;
}

/** The default authentication: `~/.config/pyci-action/cache-hmac.key`, the runner's event. */
export function defaultLocalAuth(
  directory: string,
  input = '',
  event: CacheEvent = { name: process.env.GITHUB_EVENT_NAME ?? '' },
): LocalCacheAuth {
  return {
    secret: loadCacheSecret({
      input,
      forbidden: [directory, process.env.GITHUB_WORKSPACE ?? ''],
    }),
    run: { event: event.name, trusted: isTrustedEvent(event) },
  };
}

export class LocalCacheBackend implements CacheBackend {
  readonly name = 'local';
  private readonly log: CacheLog;

  private authWarned = false;

  constructor(
    readonly directory: string,
    private readonly options: LocalCacheOptions = {},
  ) {
    this.log = options.log ?? coreLog;
  }

  /** The secret and this run's event; undefined (warned once) when there is no usable secret. */
  private auth(): { secret: Buffer; run: EntryWriter } | undefined {
    const auth = (this.options.auth ??= defaultLocalAuth(
      this.directory,
      this.options.secretInput,
      this.options.event,
    ));
    if (!(auth.secret instanceof Error)) return { secret: auth.secret, run: auth.run };
    if (!this.authWarned) {
      this.log.warning(`Not using the local cache: ${auth.secret.message}.`);
      this.authWarned = true;
    }
    return undefined;
  }

  async restore(
    key: string,
    paths: string[],
    restoreKeys: readonly string[] = [],
  ): Promise<string | undefined> {
    const target = singlePath(paths);
    const occupied = firstOccupiedPath([target]);
    if (occupied) {
      this.log.warning(`Not restoring cache ${key}: ${occupied} already exists and is not empty.`);
      return undefined;
    }
    const auth = this.auth();
    if (!auth) return undefined;
    if (await this.restoreEntry(key, target, auth)) return key;
    for (const prefix of restoreKeys) {
      const nearest = prefix && (await this.newestKeyFor(prefix));
      if (nearest && nearest !== key && (await this.restoreEntry(nearest, target, auth)))
        return nearest;
    }
    return undefined;
  }

  /**
   * The newest entry whose key starts with `prefix`, through the lookup the local store's index
   * provides (`newestKeyWithPrefix`); without it, prefixes find nothing and only exact keys hit.
   */
  private async newestKeyFor(prefix: string): Promise<string | undefined> {
    const lookup = (
      this as unknown as { newestKeyWithPrefix?: (prefix: string) => unknown }
    ).newestKeyWithPrefix?.bind(this);
    if (!lookup) return undefined;
    const found = await lookup(prefix);
    return typeof found === 'string' && found.startsWith(prefix) ? found : undefined;
  }

  /** Restores the entry saved under exactly `key`; the target is known to be free. */
  private async restoreEntry(
    key: string,
    target: string,
    auth: { secret: Buffer; run: EntryWriter },
  ): Promise<boolean> {
    const names = entryFileNames(key);
    let recorded: { sha256: string; archive: string } | undefined;
    try {
      recorded = parseChecksumFile(
        await readFile(join(this.directory, names.checksum), 'utf8'),
        names.base,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      this.log.warning(
        `Cache entry ${key} in ${this.directory} is unreadable (${errorMessage(error)}); installing afresh.`,
      );
      return false;
    }
    if (!recorded) {
      this.log.warning(
        `Cache entry ${key} in ${this.directory} has a malformed checksum file; installing afresh.`,
      );
      return false;
    }
    const authText = await readFile(join(this.directory, names.auth), 'utf8').catch(
      () => undefined,
    );
    const check = checkAuthRecord(authText, auth.secret, { key, ...recorded }, auth.run.trusted);
    if (!check.ok) {
      this.log.warning(
        `Refusing cache entry ${key} in ${this.directory}: ${check.reason}; installing afresh.`,
      );
      return false;
    }
    const compression: Compression = recorded.archive.endsWith(ARCHIVE_EXTENSION.zstd)
      ? 'zstd'
      : 'none';
    if (compression === 'zstd' && (await detectCompression()) !== 'zstd') {
      this.log.warning(
        `Cache entry ${key} is zstd-compressed but zstd is not installed on this runner; installing afresh.`,
      );
      return false;
    }
    const staging = join(dirname(target), `.${basename(target)}.pyci-restore-${randomUUID()}`);
    try {
      await mkdir(staging, { recursive: true });
      const read = await extractArchive(
        join(this.directory, recorded.archive),
        compression,
        staging,
      );
      if (read !== recorded.sha256) {
        this.log.warning(
          `Cache entry ${key} in ${this.directory} is corrupted (sha256 ${read} instead of ${recorded.sha256}); installing afresh. The next save replaces it.`,
        );
        return false;
      }
      if (existsSync(target)) await rmdir(target); // empty, checked above
      await rename(staging, target);
      this.log.info(`Restored ${target} from the local cache (${recorded.archive}).`);
      return true;
    } catch (error) {
      this.log.warning(
        `Cache entry ${key} in ${this.directory} could not be unpacked, so it is probably corrupted (${errorMessage(error)}); installing afresh. The next save replaces it.`,
      );
      return false;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async save(key: string, paths: string[]): Promise<boolean> {
    const auth = this.auth();
    if (!auth) return false;
    const source = singlePath(paths);
    const names = entryFileNames(key);
    const compression = this.options.compression ?? (await detectCompression());
    const archive = names.base + ARCHIVE_EXTENSION[compression];
    const tempArchive = join(
      this.directory,
      `.tmp-${randomUUID()}${ARCHIVE_EXTENSION[compression]}`,
    );
    const tempChecksum = join(this.directory, `.tmp-${randomUUID()}.sha256`);
    const tempAuth = join(this.directory, `.tmp-${randomUUID()}.auth`);
    try {
      await mkdir(this.directory, { recursive: true });
      const sha256 = await createArchive(source, compression, tempArchive);
      await writeFile(tempChecksum, `${sha256}  ${archive}\n`, { flag: 'wx' });
      await writeFile(tempAuth, authRecord(auth.secret, { key, archive, sha256 }, auth.run), {
        flag: 'wx',
      });
      // Archive first, checksum last: the checksum's arrival is what makes the entry exist.
      await rename(tempArchive, join(this.directory, archive));
      await rename(tempAuth, join(this.directory, names.auth));
      await rename(tempChecksum, join(this.directory, names.checksum));
      await this.removeOtherFormat(names.base, compression);
      this.log.info(`Saved ${source} to the local cache as ${join(this.directory, archive)}.`);
      return true;
    } catch (error) {
      this.log.warning(
        `Could not save cache entry ${key} to ${this.directory}: ${errorMessage(error)}`,
      );
      return false;
    } finally {
      await rm(tempArchive, { force: true });
      await rm(tempChecksum, { force: true });
      await rm(tempAuth, { force: true });
    }
  }

  /** An entry saved earlier in the other format is now unreferenced: drop it. */
  private async removeOtherFormat(base: string, kept: Compression): Promise<void> {
    const other: Compression = kept === 'zstd' ? 'none' : 'zstd';
    await rm(join(this.directory, base + ARCHIVE_EXTENSION[other]), { force: true });
  }
}

/**
 * File names for a key: its readable part made safe for every file system, cut to stay well
 * under 255 bytes, plus 16 hex of the key's sha256 so sanitizing can never merge two keys.
 */
export function entryFileNames(key: string): { base: string; checksum: string; auth: string } {
  const readable = key
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 160);
  const base = `${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  return { base, checksum: `${base}.sha256`, auth: `${base}.auth` };
}

/** Reads `<hex>  <file>`; the file must be this entry's own archive (no path tricks). */
export function parseChecksumFile(
  text: string,
  base: string,
): { sha256: string; archive: string } | undefined {
  const match = /^([0-9a-f]{64}) [ *](\S+)\s*$/.exec(text);
  if (!match) return undefined;
  const archive = match[2];
  const allowed = Object.values(ARCHIVE_EXTENSION).map((extension) => base + extension);
  return allowed.includes(archive) ? { sha256: match[1], archive } : undefined;
}

function singlePath(paths: string[]): string {
  if (paths.length !== 1) {
    throw new Error(
      `The local cache stores exactly one directory per entry, got ${paths.length} paths.`,
    );
  }
  return paths[0];
}
