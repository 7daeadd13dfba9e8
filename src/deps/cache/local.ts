/**
 * A cache in a plain directory, for self-hosted runners and local runs. The file layout, and why
 * a reader never pairs one save's checksum with another's archive, are in local-layout.ts; the
 * per-entry lock that keeps two saves of one key (and pruning) apart is local-lock.ts; pruning
 * to `cache-local-max-size` is local-prune.ts.
 *
 * Restores unpack into a temp sibling of the target and rename it into place only when the bytes
 * read match the checksum, so a corrupted entry leaves nothing behind. A generation saved from a
 * hard-link snapshot keeps that snapshot as its tree: restores link it instead of unpacking,
 * while it still matches its authenticated manifest (local-tree.ts), else unpack the archive.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
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
import {
  firstOccupiedPath,
  type CacheBackend,
  type CacheLog,
  type SaveOptions,
} from './backend.js';
import { authRecord, checkAuthRecord, readAuthRecord, type EntryWriter } from './entry-auth.js';
import {
  classifyName,
  entryFileNames,
  generationFiles,
  newGeneration,
  parseChecksumFile,
} from './local-layout.js';
import { tryLock } from './local-lock.js';
import { pruneLocalCache } from './local-prune.js';
import { linkTree } from './local-tree.js';
import { manifestText, readManifest, type TreeEntry } from './tree-manifest.js';
import { isTrustedEvent, type CacheEvent } from './policy.js';
import { loadCacheSecret } from './secret.js';

export { entryFileNames, parseChecksumFile } from './local-layout.js';

/** A reader whose generation was removed under it reads the pointer again, this many times. */
const READ_ATTEMPTS = 3;

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
  /** `cache-local-max-size` in bytes: pruned to it after each save. 0 or undefined: no limit. */
  maxBytes?: number;
  /** When a lock left by another run counts as abandoned (tests shorten it). */
  lockStaleMs?: number;
  /** Whether two existing paths are on one file system (hard links work); tests replace it. */
  sameDevice?: (a: string, b: string) => boolean;
}

/** An open generation: its archive's handle, its fields and file names. */
interface OpenedEntry {
  handle: FileHandle;
  sha256: string;
  archive: string;
  tree: string;
  manifest: string;
  compression: Compression;
}

function onSameDevice(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
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

  /** The newest entry for `prefix` (newestKeyWithPrefix), checked to really start with it. */
  private async newestKeyFor(prefix: string): Promise<string | undefined> {
    const found = await this.newestKeyWithPrefix(prefix);
    return found?.startsWith(prefix) ? found : undefined;
  }

  /** Restores the entry saved under exactly `key`; the target is known to be free. */
  private async restoreEntry(
    key: string,
    target: string,
    auth: { secret: Buffer; run: EntryWriter },
  ): Promise<boolean> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const opened = await this.openEntry(key, auth);
      if (opened === 'replaced') continue;
      if (!opened) return false;
      try {
        return (
          (await this.linkFromTree(key, opened, target, auth.secret)) ||
          (await this.unpack(key, opened, target))
        );
      } finally {
        await opened.handle.close();
      }
    }
    this.log.info(
      `Cache entry ${key} was replaced ${READ_ATTEMPTS} times while being read; installing afresh.`,
    );
    return false;
  }

  /**
   * The entry's current generation, its record checked and its archive open (so that it can be
   * read whole even if a save or a pruning removes it now); 'replaced' when it vanished between
   * reading the pointer and opening it; undefined (warned when it is not a plain miss) otherwise.
   */
  private async openEntry(
    key: string,
    auth: { secret: Buffer; run: EntryWriter },
  ): Promise<OpenedEntry | 'replaced' | undefined> {
    const names = entryFileNames(key);
    let text: string;
    try {
      text = await readFile(join(this.directory, names.checksum), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.log.warning(
        `Cache entry ${key} in ${this.directory} is unreadable (${errorMessage(error)}); installing afresh.`,
      );
      return undefined;
    }
    const pointer = parseChecksumFile(text, names.base);
    if (!pointer) {
      this.log.warning(
        `Cache entry ${key} in ${this.directory} has a malformed checksum file; installing afresh.`,
      );
      return undefined;
    }
    if ('legacy' in pointer) {
      this.log.info(
        `Cache entry ${key} was saved by an earlier version of the action; installing afresh (this run's save replaces it).`,
      );
      return undefined;
    }
    // A file the pointer names is missing: replaced if the pointer changed since, else broken.
    const replaced = async () =>
      (await readFile(join(this.directory, names.checksum), 'utf8').catch(() => '')) !== text;
    let authText: string | undefined;
    let handle: FileHandle;
    try {
      authText = await readFile(join(this.directory, pointer.auth), 'utf8').catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        },
      );
      if (authText === undefined && (await replaced())) return 'replaced';
      handle = await open(join(this.directory, pointer.archive), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.warning(
          `Cache entry ${key} in ${this.directory} is unreadable (${errorMessage(error)}); installing afresh.`,
        );
        return undefined;
      }
      if (await replaced()) return 'replaced';
      this.log.warning(
        `Cache entry ${key} in ${this.directory} has no archive ${pointer.archive}; installing afresh. The next save replaces it.`,
      );
      return undefined;
    }
    const fields = { key, archive: pointer.archive, sha256: pointer.sha256 };
    const check = checkAuthRecord(authText, auth.secret, fields, auth.run.trusted);
    if (!check.ok) {
      await handle.close();
      this.log.warning(
        `Refusing cache entry ${key} in ${this.directory}: ${check.reason}; installing afresh.`,
      );
      return undefined;
    }
    if (pointer.compression === 'zstd' && (await detectCompression()) !== 'zstd') {
      await handle.close();
      this.log.warning(
        `Cache entry ${key} is zstd-compressed but zstd is not installed on this runner; installing afresh.`,
      );
      return undefined;
    }
    return {
      handle,
      ...fields,
      tree: pointer.tree,
      manifest: pointer.manifest,
      compression: pointer.compression,
    };
  }

  /**
   * Restores by linking the generation's tree, when it has one with an authentic manifest, on
   * the target's file system, and it still matches the manifest; false (the caller unpacks the
   * archive, whose handle it holds) otherwise. A tree found changed is removed: it never matches
   * again, and the entry stays whole without it.
   */
  private async linkFromTree(
    key: string,
    entry: OpenedEntry,
    target: string,
    secret: Buffer,
  ): Promise<boolean> {
    const tree = join(this.directory, entry.tree);
    const text = await readFile(join(this.directory, entry.manifest), 'utf8').catch(() => '');
    if (!text) return false;
    await mkdir(dirname(target), { recursive: true }); // as unpacking would
    const sameDevice = this.options.sameDevice ?? onSameDevice;
    if (!sameDevice(dirname(target), tree)) return false;
    const manifest = readManifest(text, secret, {
      key,
      archive: entry.archive,
      sha256: entry.sha256,
    });
    if (typeof manifest === 'string') {
      this.log.info(
        `Not linking the tree of cache entry ${key}: ${manifest}; unpacking the archive.`,
      );
      return false;
    }
    const staging = restoreStaging(target);
    try {
      await mkdir(staging, { recursive: true });
      const problem = await linkTree(tree, manifest, staging);
      if (problem && 'failed' in problem) {
        this.log.info(
          `Could not link the tree of cache entry ${key} (${problem.failed}); unpacking the archive.`,
        );
        return false;
      }
      if (problem) {
        // Being removed (by a newer save or a pruning, which first swap the pointer or remove
        // the manifest): not a change, and the archive is still open.
        if (!(await this.stillCurrent(key, entry))) return false;
        this.log.info(
          `The tree of cache entry ${key} changed since it was saved (${problem.changed}); unpacking the archive.`,
        );
        await this.discardTree(entry);
        return false;
      }
      await this.moveIntoPlace(key, staging, target);
      this.log.info(
        `Restored ${target} from the local cache by hard links to ${entry.tree} (the tree of ${entry.archive}).`,
      );
      return true;
    } catch (error) {
      this.log.info(
        `Could not link the tree of cache entry ${key} (${errorMessage(error)}); unpacking the archive.`,
      );
      return false;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Whether the pointer still names this generation and its tree has its manifest (pruning
   * removes a tree's manifest first). */
  private async stillCurrent(key: string, entry: OpenedEntry): Promise<boolean> {
    const pointer = join(this.directory, entryFileNames(key).checksum);
    return (
      (await readFile(pointer, 'utf8').catch(() => '')).includes(entry.archive) &&
      existsSync(join(this.directory, entry.manifest))
    );
  }

  /** The manifest first (later restores skip the tree at once), then the tree, out of sight. */
  private async discardTree(entry: OpenedEntry): Promise<void> {
    const aside = join(this.directory, `.tmp-${randomUUID()}.tree`);
    try {
      await rm(join(this.directory, entry.manifest), { force: true });
      await rename(join(this.directory, entry.tree), aside);
      await rm(aside, { recursive: true, force: true });
    } catch {
      // Not ours to remove (another user's directory), or removed meanwhile: the archive serves.
    }
  }

  /** A restored venv from `staging` to `target` (empty, checked before), and the entry's use noted. */
  private async moveIntoPlace(key: string, staging: string, target: string): Promise<void> {
    if (existsSync(target)) await rmdir(target);
    await rename(staging, target);
    // The last use, for pruning: access times are often not recorded (noatime).
    await writeFile(join(this.directory, entryFileNames(key).used), '').catch(() => undefined);
  }

  private async unpack(key: string, entry: OpenedEntry, target: string): Promise<boolean> {
    const staging = restoreStaging(target);
    try {
      await mkdir(staging, { recursive: true });
      const read = await extractArchive(entry.handle, entry.compression, staging);
      if (read !== entry.sha256) {
        this.log.warning(
          `Cache entry ${key} in ${this.directory} is corrupted (sha256 ${read} instead of ${entry.sha256}); installing afresh. The next save replaces it.`,
        );
        return false;
      }
      await this.moveIntoPlace(key, staging, target);
      this.log.info(`Restored ${target} from the local cache (${entry.archive}).`);
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

  async save(key: string, paths: string[], options: SaveOptions = {}): Promise<boolean> {
    const auth = this.auth();
    if (!auth) return false;
    const source = singlePath(paths);
    const names = entryFileNames(key);
    try {
      await mkdir(this.directory, { recursive: true });
      const locked = await tryLock(join(this.directory, names.lock), {
        staleMs: this.options.lockStaleMs,
      });
      if ('heldBy' in locked) {
        const who = locked.heldBy
          ? ` (pid ${locked.heldBy.pid} on ${locked.heldBy.host}, since ${new Date(locked.heldBy.since).toISOString()})`
          : '';
        this.log.info(
          `Another run holds the lock of cache entry ${key}${who}, saving or pruning it; leaving it to that run.`,
        );
        return false;
      }
      let saved: boolean;
      try {
        saved = await this.writeGeneration(
          key,
          source,
          auth,
          () => locked.lock.stillHeld(),
          options.snapshot?.manifest,
        );
      } finally {
        await locked.lock.release();
      }
      if (saved && this.options.maxBytes) {
        await pruneLocalCache(this.directory, this.options.maxBytes, {
          protect: names.base,
          log: this.log,
          lockStaleMs: this.options.lockStaleMs,
        });
      }
      return saved;
    } catch (error) {
      this.log.warning(
        `Could not save cache entry ${key} to ${this.directory}: ${errorMessage(error)}`,
      );
      return false;
    }
  }

  /**
   * Under the entry's lock: a new generation, the pointer swapped to it, older ones removed.
   * With a snapshot's manifest, the snapshot (`source`) becomes the generation's tree when it is
   * on the cache directory's file system (a rename), published with the archive by the swap.
   */
  private async writeGeneration(
    key: string,
    source: string,
    auth: { secret: Buffer; run: EntryWriter },
    stillLocked: () => Promise<boolean>,
    snapshot?: readonly TreeEntry[],
  ): Promise<boolean> {
    const names = entryFileNames(key);
    const compression = this.options.compression ?? (await detectCompression());
    const generation = newGeneration();
    const files = generationFiles(names.base, generation, compression);
    const temp = (suffix: string) => join(this.directory, `.tmp-${randomUUID()}${suffix}`);
    const tempArchive = temp(ARCHIVE_EXTENSION[compression]);
    const tempChecksum = temp('.sha256');
    const tempAuth = temp('.auth');
    const tempManifest = temp('.tree.json');
    try {
      const sha256 = await createArchive(source, compression, tempArchive);
      await writeFile(tempChecksum, `${sha256}  ${files.archive}\n`, { flag: 'wx' });
      const record = authRecord(
        auth.secret,
        { key, archive: files.archive, sha256 },
        auth.run,
        Date.now(),
      );
      await writeFile(tempAuth, record, { flag: 'wx' });
      const sameDevice = this.options.sameDevice ?? onSameDevice;
      const keepTree = snapshot !== undefined && sameDevice(source, this.directory);
      if (keepTree) {
        const fields = { key, archive: files.archive, sha256 };
        await writeFile(tempManifest, manifestText(auth.secret, fields, snapshot), { flag: 'wx' });
      }
      if (!(await stillLocked())) {
        this.log.info(
          `Not saving cache entry ${key}: another run took over its lock (it had been held too long).`,
        );
        return false;
      }
      await rename(tempArchive, join(this.directory, files.archive));
      await rename(tempAuth, join(this.directory, files.auth));
      if (keepTree) await this.adoptTree(source, tempManifest, files);
      // The swap: from here on readers get this generation.
      await rename(tempChecksum, join(this.directory, names.checksum));
      await this.removeOtherGenerations(names.base, generation);
      this.log.info(
        `Saved ${source} to the local cache as ${join(this.directory, files.archive)}.`,
      );
      return true;
    } finally {
      await rm(tempArchive, { force: true });
      await rm(tempChecksum, { force: true });
      await rm(tempAuth, { force: true });
      await rm(tempManifest, { force: true });
    }
  }

  /** The snapshot into place as the tree, then its manifest; without them the archive serves. */
  private async adoptTree(
    snapshot: string,
    tempManifest: string,
    files: { tree: string; manifest: string },
  ): Promise<void> {
    try {
      await rename(snapshot, join(this.directory, files.tree));
      await rename(tempManifest, join(this.directory, files.manifest));
    } catch (error) {
      this.log.info(
        `Keeping no hard-link tree for this entry (${errorMessage(error)}); restores unpack its archive.`,
      );
    }
  }

  /**
   * Earlier generations (and files of the layout before generations) are unreferenced once the
   * pointer is swapped. A reader still unpacking one keeps its open handle; one that only read
   * the old pointer finds the file gone and reads the pointer again.
   */
  private async removeOtherGenerations(base: string, kept: string): Promise<void> {
    for (const name of await readdir(this.directory)) {
      const file = classifyName(name);
      if (file?.base !== base) continue;
      if ((file.role === 'generation' && file.generation !== kept) || file.role === 'legacy') {
        // A tree may be removed by a restore that found it changed at the same time.
        await rm(join(this.directory, name), { recursive: true, force: true }).catch(
          (error: unknown) => {
            if (!name.endsWith('.tree')) throw error;
          },
        );
      }
    }
  }

  /**
   * The key of the most recently saved entry whose key starts with `prefix` and that this run
   * would restore (whole, authenticated, and from a writer this run trusts); undefined if none.
   * File names hash long keys, so keys come from the entries' authentication records.
   */
  async newestKeyWithPrefix(prefix: string): Promise<string | undefined> {
    const auth = this.auth();
    if (!auth) return undefined;
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch {
      return undefined;
    }
    let newest: { key: string; written: number } | undefined;
    for (const name of names) {
      const file = classifyName(name);
      if (file?.role !== 'pointer') continue;
      const found = await this.describeEntry(file.base, auth);
      if (!found || !found.key.startsWith(prefix)) continue;
      if (!newest || found.written > newest.written) newest = found;
    }
    return newest?.key;
  }

  /** An entry's key and save time, when it is complete and passes this run's checks. */
  private async describeEntry(
    base: string,
    auth: { secret: Buffer; run: EntryWriter },
  ): Promise<{ key: string; written: number } | undefined> {
    const read = (name: string) =>
      readFile(join(this.directory, name), 'utf8').catch(() => undefined);
    const pointerText = await read(`${base}.sha256`);
    const pointer = pointerText === undefined ? undefined : parseChecksumFile(pointerText, base);
    if (!pointer || 'legacy' in pointer) return undefined;
    const authText = await read(pointer.auth);
    const claimed = authText === undefined ? undefined : readAuthRecord(authText);
    // The name must be the key's own: a record copied beside another entry does not count.
    if (!claimed || entryFileNames(claimed.key).base !== base) return undefined;
    const fields = { key: claimed.key, archive: pointer.archive, sha256: pointer.sha256 };
    if (!checkAuthRecord(authText, auth.secret, fields, auth.run.trusted).ok) return undefined;
    if (!existsSync(join(this.directory, pointer.archive))) return undefined;
    return claimed;
  }
}

/** The temporary sibling a restore builds the venv in (renamed into place only when whole). */
function restoreStaging(target: string): string {
  return join(dirname(target), `.${basename(target)}.pyci-restore-${randomUUID()}`);
}

function singlePath(paths: string[]): string {
  if (paths.length !== 1) {
    throw new Error(
      `The local cache stores exactly one directory per entry, got ${paths.length} paths.`,
    );
  }
  return paths[0];
}
