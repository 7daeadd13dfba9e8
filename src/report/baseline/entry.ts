/**
 * The results entry (pure): what a branch run records of its failures, so that a pull request's
 * comment can tell its new failures from those already failing on the base branch. A restored
 * entry is untrusted data: `parseResultsEntry` checks its shape and bounds before anything uses it.
 */
import type { TestFailure, TestResult } from '../../pytest/result.js';

export interface ResultsEntry {
  /** The commit the results are of (hex). */
  sha: string;
  /** The branch's full ref, e.g. refs/heads/main. */
  ref: string;
  /** Node ids of the failed and errored tests (distinct; every one, up to MAX_FAILING). */
  failing: string[];
  /** Failing tests counted but not listed: past MAX_FAILING, or an over-long id. */
  omitted: number;
  tests: number;
}

/** At most this many ids are recorded and read (the JUnit reader's bound on failing ids). */
export const MAX_FAILING = 5_000;
/** A node id longer than this is not recorded (nor read back). */
export const MAX_ID_CHARS = 1_000;
/** A restored file larger than this is not read. */
export const MAX_ENTRY_BYTES = 2 * 1024 * 1024;

export const HEX_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The distinct ids of a run's failing tests and how many more failed: the reader's list of every
 * failing id, or (a result built without it) the ids of the failures kept for display.
 */
export function failingIds(result: TestResult): { ids: string[]; omitted: number } {
  if (result.failing) return result.failing;
  const ids = [...new Set(result.failures.map((failure) => failure.id))];
  return { ids, omitted: result.failuresOmitted };
}

export function buildResultsEntry(result: TestResult, sha: string, ref: string): ResultsEntry {
  const { ids, omitted } = failingIds(result);
  const kept = ids.filter((id) => id.length <= MAX_ID_CHARS).slice(0, MAX_FAILING);
  return {
    sha,
    ref,
    failing: kept,
    omitted: omitted + (ids.length - kept.length),
    tests: result.tests,
  };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The entry, or why it is not one (for one info line). */
export function parseResultsEntry(text: string): ResultsEntry | { problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { problem: 'it is not JSON' };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return { problem: 'it is not a JSON object' };
  const { sha, ref, failing, omitted, tests } = data as Record<string, unknown>;
  if (typeof sha !== 'string' || !HEX_SHA.test(sha)) return { problem: 'its sha is not a commit' };
  if (typeof ref !== 'string' || !ref.startsWith('refs/heads/') || ref.length > 512)
    return { problem: 'its ref is not a branch' };
  if (!Array.isArray(failing) || failing.length > MAX_FAILING)
    return { problem: `its failing list is not a list of at most ${MAX_FAILING} ids` };
  if (!failing.every((id) => typeof id === 'string' && id !== '' && id.length <= MAX_ID_CHARS))
    return { problem: 'its failing list holds something other than test ids' };
  if (!isCount(omitted) || !isCount(tests)) return { problem: 'its counts are not counts' };
  return { sha, ref, failing: failing as string[], omitted, tests };
}

export interface FailureSplit {
  /** The failures kept for display, split. */
  fresh: TestFailure[];
  /** Failing on the base branch too. */
  known: TestFailure[];
  /** Distinct failing tests of the whole run (not only those displayed) new or known. */
  freshIds: number;
  knownIds: number;
  /** This run's failing tests counted but not listed (past the reader's bound): unsorted. */
  unsorted: number;
}

/** This run's failures, split by whether the base branch's run failed them too. */
/** How many failing tests are new; past the reader's bound of ids, "at least N". */
export function freshCount(split: Pick<FailureSplit, 'freshIds' | 'unsorted'>): string {
  return `${split.unsorted > 0 ? 'at least ' : ''}${split.freshIds}`;
}

export function splitFailures(result: TestResult, baseline: ResultsEntry): FailureSplit {
  const before = new Set(baseline.failing);
  const { ids, omitted } = failingIds(result);
  const knownIds = ids.filter((id) => before.has(id)).length;
  return {
    fresh: result.failures.filter((failure) => !before.has(failure.id)),
    known: result.failures.filter((failure) => before.has(failure.id)),
    freshIds: ids.length - knownIds,
    knownIds,
    unsorted: omitted,
  };
}
