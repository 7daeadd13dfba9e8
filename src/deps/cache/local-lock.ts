/**
 * A lock on one local cache entry: the directory `<entry>.lock`, made with mkdir (atomic on
 * every local file system and NFS), holding `owner.json` with the holder's pid, host, start time
 * and a random token. Saves hold it while they write a generation and swap the pointer; pruning
 * holds it while it removes the entry. Readers never take it (see local-layout.ts).
 *
 * A lock is stale, and is broken, when its holder's pid is gone on this host, or when it is older
 * than `staleMs` (a holder on another host, or a pid reused), or when it has had no owner file
 * for a minute (its holder died between mkdir and writing the file).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface LockOwner {
  pid: number;
  host: string;
  /** ms since the epoch. */
  since: number;
  token: string;
}

export interface HeldLock {
  path: string;
  owner: LockOwner;
  /** Whether the lock is still ours (not broken as stale by another run meanwhile). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/** Saves are bounded by cache-timeout (default 5 min): an hour-old lock is abandoned. */
export const DEFAULT_STALE_MS = 60 * 60 * 1000;
const OWNERLESS_GRACE_MS = 60 * 1000;

export interface LockOptions {
  staleMs?: number;
  now?: () => number;
}

/** Takes the lock, or reports who holds it (undefined owner: being created right now). */
export async function tryLock(
  path: string,
  options: LockOptions = {},
): Promise<{ lock: HeldLock } | { heldBy: LockOwner | undefined }> {
  const now = options.now ?? Date.now;
  for (let attempt = 0; attempt < 2; attempt++) {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      since: now(),
      token: randomUUID(),
    };
    try {
      await mkdir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readOwner(path);
      if (
        attempt === 0 &&
        (await isStale(path, holder, options.staleMs ?? DEFAULT_STALE_MS, now))
      ) {
        await breakLock(path);
        continue;
      }
      return { heldBy: holder };
    }
    await writeFile(join(path, 'owner.json'), `${JSON.stringify(owner)}\n`);
    return { lock: heldLock(path, owner) };
  }
  return { heldBy: await readOwner(path) };
}

function heldLock(path: string, owner: LockOwner): HeldLock {
  const stillHeld = async () => (await readOwner(path))?.token === owner.token;
  return {
    path,
    owner,
    stillHeld,
    async release() {
      if (await stillHeld()) await rm(path, { recursive: true, force: true });
    },
  };
}

export async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(path, 'owner.json'), 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.since === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock at `path` (owned by `holder`, as read) is abandoned. */
export async function isStale(
  path: string,
  holder: LockOwner | undefined,
  staleMs: number = DEFAULT_STALE_MS,
  now: () => number = Date.now,
): Promise<boolean> {
  if (!holder) {
    const made = await stat(path).then(
      (info) => info.mtimeMs,
      () => now(),
    );
    return now() - made > OWNERLESS_GRACE_MS;
  }
  if (now() - holder.since > staleMs) return true;
  return holder.host === hostname() && !pidAlive(holder.pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Renamed away first (atomic, so of two runs breaking it at once only one succeeds), then
 * deleted under its temp name.
 */
async function breakLock(path: string): Promise<void> {
  const away = join(dirname(path), `.tmp-lock-${randomUUID()}`);
  try {
    await rename(path, away);
  } catch {
    return; // someone else broke it first
  }
  await rm(away, { recursive: true, force: true });
}
