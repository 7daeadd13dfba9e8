/**
 * The results stage: a branch run records its failures after its tests; a pull request run that
 * comments reads the base branch's newest record before its report. Never fails the step.
 */
import type { CacheSettings } from '../../deps/prepare.js';
import type { TestResult } from '../../pytest/result.js';
import type { RunEvent } from '../../runner/event.js';
import { coreLog } from '../../runner/log.js';
import type { BaseComparison } from '../comment/body.js';
import type { CommentMode } from '../comment/when.js';
import { buildResultsEntry, HEX_SHA } from './entry.js';
import { resultsKey, resultsKeyPrefix, type ResultsScope } from './key.js';
import { resultsBackend, restoreResults, saveResults } from './store.js';
import { comparesWithBase, recordDecision } from './when.js';

export interface ResultsRequest {
  event: RunEvent;
  cache: CacheSettings;
  comment: CommentMode;
  scope: ResultsScope;
  /** GITHUB_SHA. */
  sha: string;
  runnerTemp: string;
}

function settings(request: ResultsRequest) {
  return {
    comment: request.comment,
    cacheMode: request.cache.mode,
    cacheSave: request.cache.save ?? 'default-branch',
  };
}

/** Records the run's failures when it is a trusted branch run (see when.ts). */
export async function recordResults(request: ResultsRequest, result: TestResult): Promise<void> {
  const { event } = request;
  const first = recordDecision(event, settings(request), true);
  if (!first?.save || !HEX_SHA.test(request.sha)) return;
  const store = { cache: request.cache, event, runnerTemp: request.runnerTemp };
  const backend = resultsBackend(store);
  if (!backend) return;
  // The local directory has no branch scopes: the policy is asked again knowing the store.
  const decision = recordDecision(event, settings(request), backend.name === 'github');
  if (!decision?.save) {
    coreLog.info(`Not recording this run's results: ${decision?.reason ?? 'not allowed'}.`);
    return;
  }
  const key = resultsKey(request.scope, event.refName, request.sha);
  await saveResults(backend, store, key, buildResultsEntry(result, request.sha, event.ref));
}

/** The base branch's last results, for a pull request run that comments; undefined when it does not look. */
export async function compareWithBase(
  request: ResultsRequest,
  commenting: boolean,
): Promise<BaseComparison | undefined> {
  const { event } = request;
  if (!comparesWithBase(event, settings(request), commenting)) return undefined;
  const store = { cache: request.cache, event, runnerTemp: request.runnerTemp };
  const backend = resultsBackend(store);
  if (!backend) return undefined;
  const prefix = resultsKeyPrefix(request.scope, event.baseRef);
  const entry = await restoreResults(backend, store, prefix, `refs/heads/${event.baseRef}`);
  if (entry) coreLog.info(`Comparing failures with ${event.baseRef} at ${entry.sha.slice(0, 7)}.`);
  return { branch: event.baseRef, ...(entry ? { entry } : {}) };
}
