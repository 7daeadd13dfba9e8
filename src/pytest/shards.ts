/**
 * Test sharding: the `shard` input (`i/n`) and a deterministic partition of the collected test
 * ids into n parts. Every job of a matrix computes the same partition on its own, so it must not
 * depend on anything but the ids (and timings): not on their order, not on the machine.
 */
import { InputError } from '../runner/errors.js';
import { compareStrings } from '../runner/text.js';
import { readJUnitReports } from './junit.js';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** More parts than any matrix runs (GitHub allows 256 jobs per matrix). */
export const MAX_SHARDS = 1000;

/** Parses the `shard` input; empty means "not sharded". */
export function parseShard(raw: string): Shard | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(value);
  if (!match) {
    throw new InputError(
      `Input 'shard' is '${raw}', which is not of the form i/n. Use e.g. 'shard: 2/4' to run ` +
        'the second of four parts, or leave it empty to run every test.',
    );
  }
  const index = Number(match[1]);
  const total = Number(match[2]);
  // Every part is a job; the partition allocates one list per part.
  if (total > MAX_SHARDS) {
    throw new InputError(
      `Input 'shard' is '${raw}': at most ${MAX_SHARDS} parts are supported. Use fewer parts, e.g. 1/${MAX_SHARDS}.`,
    );
  }
  if (total < 1 || index < 1 || index > total) {
    throw new InputError(
      `Input 'shard' is '${raw}': the part number must be between 1 and the number of parts ` +
        `(here 1 to ${Math.max(total, 1)}). Shards are counted from 1, e.g. 1/${Math.max(total, 2)}.`,
    );
  }
  return { index, total };
}

/** Seconds per test id, from an earlier run. */
export type Timings = ReadonlyMap<string, number>;

/**
 * Splits `testIds` into `n` parts. With timings: longest test first into the least-loaded part
 * (tests without a timing count as the mean of those with one). Without: whole files (the part
 * of the id before `::`) by test count, files larger than an even share cut into even pieces,
 * so module-scoped fixtures mostly run once. Each id lands in exactly one part; within a part,
 * ids keep their input order. Ties go to the lower part, after sorting ids, so the result does
 * not depend on the input order. Parts can be empty when there are fewer groups than parts.
 */
export function partition(testIds: readonly string[], n: number, timings?: Timings): string[][] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`partition: n must be >= 1, got ${n}`);
  const unique = [...new Set(testIds)].sort(compareStrings);
  const groups =
    timings && timings.size > 0 ? groupsByTime(unique, timings) : groupsByFile(unique, n);
  const partOf = assignGreedily(groups, n);
  const parts: string[][] = Array.from({ length: n }, () => []);
  const seen = new Set<string>();
  for (const id of testIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    parts[partOf.get(id)!].push(id);
  }
  return parts;
}

/** The ids of one shard, in input order. */
export function selectShard(testIds: readonly string[], shard: Shard, timings?: Timings): string[] {
  return partition(testIds, shard.total, timings)[shard.index - 1];
}

/** Builds timings (node id -> seconds) from earlier JUnit reports; repeated ids keep the max. */
export async function readShardTimings(
  junitPaths: string | string[],
): Promise<Map<string, number>> {
  const timings = new Map<string, number>();
  await readJUnitReports(Array.isArray(junitPaths) ? junitPaths : [junitPaths], {
    maxFailures: 0,
    slowest: 0,
    onTestCase: (id, seconds) => timings.set(id, Math.max(seconds, timings.get(id) ?? 0)),
  });
  return timings;
}

interface Group {
  key: string;
  ids: string[];
  weight: number;
}

function groupsByTime(sortedIds: string[], timings: Timings): Group[] {
  const known = sortedIds.map((id) => timings.get(id)).filter((s) => s !== undefined);
  const fallback = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  return sortedIds.map((id) => ({ key: id, ids: [id], weight: timings.get(id) ?? fallback }));
}

function groupsByFile(sortedIds: string[], n: number): Group[] {
  const byFile = new Map<string, string[]>();
  for (const id of sortedIds) {
    const file = id.split('::', 1)[0];
    const ids = byFile.get(file);
    if (ids) ids.push(id);
    else byFile.set(file, [id]);
  }
  const share = Math.ceil(sortedIds.length / n);
  const groups: Group[] = [];
  for (const [file, ids] of byFile) {
    // A file bigger than an even share would leave other parts idle: cut it in pieces.
    for (let start = 0, piece = 0; start < ids.length; start += share, piece++) {
      const slice = ids.slice(start, start + share);
      groups.push({ key: `${file}#${piece}`, ids: slice, weight: slice.length });
    }
  }
  return groups;
}

/** Longest-processing-time-first into the least-loaded part; returns id -> part index. */
function assignGreedily(groups: Group[], n: number): Map<string, number> {
  const ordered = [...groups].sort((a, b) => b.weight - a.weight || compareStrings(a.key, b.key));
  const loads = new Array<number>(n).fill(0);
  const partOf = new Map<string, number>();
  for (const group of ordered) {
    let least = 0;
    for (let part = 1; part < n; part++) if (loads[part] < loads[least]) least = part;
    loads[least] += group.weight;
    for (const id of group.ids) partOf.set(id, least);
  }
  return partOf;
}
