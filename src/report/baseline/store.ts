/**
 * Edge: results entries through the dependency cache's backends (GitHub's cache service, else the
 * local directory with its authenticated entries), each call bounded by `cache-timeout`. An entry
 * is one small JSON file in a directory of its own. Neither a save nor a restore ever fails the
 * step: problems are one info or warning line.
 *
 * The directory sits at the same path in every run (`$RUNNER_TEMP/pyci-results`): GitHub's cache
 * versions an entry by the paths it holds, so a pull request finds only what was saved from the
 * same path.
 */
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheBackend } from '../../deps/cache/backend.js';
import type { CacheEvent } from '../../deps/cache/policy.js';
import { backendFor, type CacheSettings } from '../../deps/prepare.js';
import { errorMessage } from '../../runner/errors.js';
import { coreLog, type Log } from '../../runner/log.js';
import { MAX_ENTRY_BYTES, parseResultsEntry, type ResultsEntry } from './entry.js';

const FILE = 'results.json';

export interface ResultsStore {
  cache: CacheSettings;
  event: CacheEvent;
  runnerTemp: string;
  log?: Pick<Log, 'info' | 'warning'>;
}

/** The backend for results, or undefined with `cache: none`. */
export function resultsBackend(store: ResultsStore): CacheBackend | undefined {
  const log = store.log ?? coreLog;
  // Results are a convenience: the store's problems (a broken cache directory, no secret) are
  // info lines here; the venv's cache already warns about the same store.
  const quiet = {
    info: (text: string) => log.info(text),
    warning: (text: string) => log.info(text),
  };
  // The cache input's mode only picks the venv's key and path; results go to the same store.
  return backendFor(store.cache, store.event, quiet);
}

function entryDir(runnerTemp: string): string {
  return join(runnerTemp, 'pyci-results');
}

export async function saveResults(
  backend: CacheBackend,
  store: ResultsStore,
  key: string,
  entry: ResultsEntry,
): Promise<void> {
  const log = store.log ?? coreLog;
  const dir = entryDir(store.runnerTemp);
  try {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, FILE), JSON.stringify(entry));
    if (await backend.save(key, [dir]))
      log.info(`Recorded this run's results as ${key}, for pull requests to compare with.`);
  } catch (error) {
    log.info(`Could not record this run's results as ${key}: ${errorMessage(error)}`);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The newest entry whose key starts with `prefix`, checked; undefined when none is usable. */
export async function restoreResults(
  backend: CacheBackend,
  store: ResultsStore,
  prefix: string,
  expectedRef: string,
): Promise<ResultsEntry | undefined> {
  const log = store.log ?? coreLog;
  const dir = entryDir(store.runnerTemp);
  try {
    await rm(dir, { recursive: true, force: true });
    const key = await backend.restore(prefix, [dir], [prefix]);
    if (key === undefined) return undefined;
    const file = join(dir, FILE);
    const stat = await lstat(file).catch(() => undefined);
    const problem = !stat?.isFile()
      ? `it holds no ${FILE} file`
      : stat.size > MAX_ENTRY_BYTES
        ? `its ${FILE} is larger than ${MAX_ENTRY_BYTES} bytes`
        : undefined;
    const parsed = problem ? { problem } : parseResultsEntry(await readFile(file, 'utf8'));
    const why =
      'problem' in parsed
        ? parsed.problem
        : parsed.ref !== expectedRef
          ? `it holds the results of ${parsed.ref}, not ${expectedRef}`
          : undefined;
    if (why !== undefined) {
      log.info(`Ignoring the results entry ${key}: ${why}.`);
      return undefined;
    }
    return parsed as ResultsEntry;
  } catch (error) {
    log.info(`Could not read the base branch's results: ${errorMessage(error)}`);
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
