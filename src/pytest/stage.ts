/** The test stage: pick this shard's tests, run pytest, read its JUnit report. */
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError } from '../runner/errors.js';
import { collectTestIds } from './collect.js';
import { JUnitParseError, readJUnitReports } from './junit.js';
import {
  judgePytestExit,
  noReportMessage,
  runPytest,
  terminalCounts,
  timeoutMessage,
  type PytestVerdict,
} from './pytest.js';
import { userJunitPath } from './pytest-args.js';
import type { TestResult } from './result.js';
import { preparePytestPlugin } from './pytest-plugin.js';
import { rerunFailures } from './reruns.js';
import { readShardTimings, selectShard, type Shard } from './shards.js';

export interface TestRequest {
  /** The venv's python. */
  python: string;
  venvPath: string;
  workingDirectory: string;
  pytestArgs: string[];
  allowNoTests: boolean;
  shard?: Shard;
  /** A JUnit report of an earlier full run, to balance shards by time. */
  shardTimings?: string;
  scratchDir: string;
  /** Stop pytest after this many minutes (undefined: no limit). */
  timeoutMinutes?: number;
  /** Coverage measurement: pytest-cov's arguments (before the user's) and COVERAGE_FILE. */
  coverage?: { args: string[]; env: Record<string, string> };
  /** Rounds of reruns of failed tests (0: none). */
  reruns?: number;
}

export interface TestRun {
  result: TestResult;
  verdict: PytestVerdict;
  junitPath: string;
  /** pytest's rootdir: JUnit file paths are relative to it. */
  rootdir?: string;
}

const EMPTY_RESULT: TestResult = {
  tests: 0,
  passed: 0,
  failed: 0,
  errors: 0,
  skipped: 0,
  durationSeconds: 0,
  failures: [],
  failuresOmitted: 0,
  slowest: [],
};

export async function runTests(request: TestRequest): Promise<TestRun> {
  let shardIds: string[] | undefined;
  const env = { ...process.env, VIRTUAL_ENV: request.venvPath };
  // The user's --junitxml is the report; otherwise ours, in scratch.
  const userJunit = userJunitPath(request.pytestArgs, request.workingDirectory, env);
  const junitPath = userJunit ?? join(request.scratchDir, `pyci-junit-${randomUUID()}.xml`);
  // One part of one is the whole suite: no need to collect first.
  if (request.shard && request.shard.total > 1) {
    const { index, total } = request.shard;
    const ids = await collectTestIds(request.python, request.pytestArgs, {
      cwd: request.workingDirectory,
      env,
      scratchDir: request.scratchDir,
      timeoutMinutes: request.timeoutMinutes,
    });
    if (ids.length === 0) {
      // The suite itself has no tests here: as pytest's "no tests collected" (exit 5).
      return {
        result: EMPTY_RESULT,
        verdict: judgePytestExit(5, '', request.allowNoTests),
        junitPath: '',
      };
    }
    const timings = request.shardTimings ? await readShardTimings(request.shardTimings) : undefined;
    shardIds = selectShard(ids, request.shard, timings);
    core.info(
      `Shard ${index}/${total}: ${shardIds.length} of ${ids.length} tests${timings ? ', balanced by recorded durations' : ', balanced by file'}.`,
    );
    if (shardIds.length === 0) {
      core.notice(
        `Shard ${index}/${total} has no tests: the suite has fewer files or tests than shards.`,
      );
      return {
        result: EMPTY_RESULT,
        verdict: { ok: true, hasReport: false },
        junitPath: '',
      };
    }
  }

  const reruns = request.reruns ?? 0;
  const plugin = preparePytestPlugin(request.scratchDir, process.env.PYTHONPATH, {
    shardIds,
    recordFailed: reruns > 0,
  });
  // A report left from before (or by the collection run) must not stand in for this run's.
  if (userJunit && statSync(userJunit, { throwIfNoEntry: false })?.isFile()) rmSync(userJunit);
  core.startGroup('Running pytest');
  let run;
  try {
    const coverageArgs = request.coverage?.args ?? [];
    run = await runPytest(
      request.python,
      [...plugin.args, ...coverageArgs, ...request.pytestArgs],
      {
        cwd: request.workingDirectory,
        junitPath,
        ownReport: userJunit === undefined,
        env: { ...env, ...plugin.env, ...request.coverage?.env },
        timeoutMinutes: request.timeoutMinutes,
      },
    );
  } finally {
    core.endGroup();
  }
  const rootdir = plugin.rootdir();
  if (run.timedOut) throw new InputError(timeoutMessage(request.timeoutMinutes!));
  const verdict = judgePytestExit(run.exitCode, run.output, request.allowNoTests, run.signal);
  if (!verdict.hasReport)
    throw new InputError(verdict.message ?? `pytest exited with ${run.exitCode}.`);
  // pytest can stop before its first test without a report, e.g. when a plugin raises while it
  // starts (a warning made an error by filterwarnings): say so with pytest's own last words.
  if (!existsSync(junitPath) && !terminalCounts(run.output))
    throw new InputError(noReportMessage(run.exitCode, run.output));
  // Only plain test failures (exit 1) are rerun: an interrupted or broken run would be again.
  const failedIds = run.exitCode === 1 && reruns > 0 ? plugin.failedIds() : [];
  if (failedIds.length > 0 && existsSync(junitPath)) {
    // Flaky tests are those the merged report marks (result.flaky), as in report-only mode.
    const { mergedReport } = await rerunFailures({
      python: request.python,
      cwd: request.workingDirectory,
      env,
      userArgs: request.pytestArgs,
      scratchDir: request.scratchDir,
      rounds: reruns,
      failedIds,
      firstReport: junitPath,
      timeoutMinutes: request.timeoutMinutes,
    });
    if (mergedReport) {
      const result = await readJUnitReports([mergedReport]);
      const passes = result.failed + result.errors === 0;
      return {
        result,
        verdict: passes ? { ok: true, hasReport: true } : verdict,
        junitPath: mergedReport,
        rootdir,
      };
    }
  }
  let result: TestResult;
  try {
    result = await readJUnitReports([junitPath]);
  } catch (error) {
    // An unreadable report still leaves pytest's own closing line: report those counts and fail.
    const counts = error instanceof JUnitParseError ? terminalCounts(run.output) : undefined;
    if (!counts) throw error;
    const message = `${(error as Error).message} The counts reported are from pytest's closing line.`;
    return {
      result: counts,
      verdict: { ok: false, hasReport: true, message },
      junitPath,
      rootdir,
    };
  }
  return {
    result,
    verdict: noTestsRun(verdict, result, request, shardIds),
    junitPath,
    rootdir,
  };
}

/**
 * pytest can exit 0 having run nothing (`--collect-only` in pytest-args, a plugin deselecting
 * everything): no tests run fails unless allow-no-tests, and a shard that was given tests and
 * ran none always fails, since its tests would then run nowhere.
 */
export function noTestsRun(
  verdict: PytestVerdict,
  result: TestResult,
  request: Pick<TestRequest, 'allowNoTests' | 'shard'>,
  shardIds: string[] | undefined,
): PytestVerdict {
  if (!verdict.ok || result.tests > 0) return verdict;
  if (shardIds && shardIds.length > 0) {
    const { index, total } = request.shard!;
    return {
      ok: false,
      hasReport: true,
      message: `Shard ${index}/${total} was given ${shardIds.length} tests but pytest ran none (e.g. --collect-only in pytest-args, or a plugin deselected them); they would run in no shard`,
    };
  }
  if (request.allowNoTests) return verdict;
  return {
    ok: false,
    hasReport: true,
    message:
      'pytest ran no tests (its report holds no test cases; e.g. --collect-only in pytest-args). Remove what stops them from running, or set allow-no-tests: true',
  };
}
