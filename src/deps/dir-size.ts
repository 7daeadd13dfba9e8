/** The bytes a directory holds: every regular file below it, symlinks not followed. */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Sums file sizes, stopping as soon as the sum passes `stopAbove` (the caller only needs to know
 * that it is too big). Unreadable entries count as empty.
 */
export async function directorySize(path: string, stopAbove = Infinity): Promise<number> {
  let total = 0;
  const pending = [path];
  while (pending.length > 0 && total <= stopAbove) {
    const dir = pending.pop()!;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const child = join(dir, name);
      const stats = await lstat(child).catch(() => undefined);
      if (stats?.isDirectory()) pending.push(child);
      else if (stats?.isFile()) total += stats.size;
    }
  }
  return total;
}
