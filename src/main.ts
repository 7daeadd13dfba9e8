/**
 * Orchestration only: read the config, run the stages in order, hand their plain values to the
 * next, set outputs. Each stage lives in its own folder.
 */
import { join } from 'node:path';
import * as core from '@actions/core';
import { readConfig, type ActionConfig } from './config.js';
import { prepareVenv, type PreparedVenv } from './deps/prepare.js';
import { decide, type TestOutcome } from './gate/decide.js';
import type { Decision } from './gate/decision.js';
import type { RunEvent } from './runner/event.js';
import { readRunEvent } from './runner/event-file.js';
import { decisionSummaryLine, setDecisionOutputs } from './gate/outputs.js';
import type { Interpreter } from './python/interpreter.js';
import { interpreterExports, setupPython } from './python/setup.js';
import { commentMarker, renderComment, type BaseComparison } from './report/comment/body.js';
import { comparisonLine } from './report/baseline/line.js';
import { compareWithBase, recordResults, type ResultsRequest } from './report/baseline/stage.js';
import { commentWanted } from './report/comment/when.js';
import { pullRequestLookup } from './report/comment/behind-run.js';
import { flakySection } from './report/flaky.js';
import { commitThatRan, failureLinker } from './report/links.js';
import { runUrl } from './runner/context.js';
import { publishReport } from './report/publish.js';
import { failStep } from './runner/failure.js';
import { INPUT, OUTPUT } from './runner/names.js';
import { refuseUnknownInputs } from './runner/unknown-inputs.js';
import { readJUnitReports } from './pytest/junit.js';
import type { TestResult } from './pytest/result.js';
import { runTests } from './pytest/stage.js';
import { formatPercent } from './coverage/settings.js';
import { reportOnlyCoverage } from './coverage/report-only.js';
import { prepareMeasurement, reportCoverage, type CoverageOutcome } from './coverage/stage.js';
import { coverageVenv } from './coverage/tool.js';

/** Makes the interpreter and the venv the default for the job's later steps. */
function exportToLaterSteps(interpreter: Interpreter, venv: PreparedVenv): void {
  const exported = interpreterExports(interpreter);
  for (const [name, value] of Object.entries(exported.variables)) core.exportVariable(name, value);
  for (const dir of exported.path) core.addPath(dir);
  // Added last, so it comes first on PATH.
  core.addPath(venv.binDir);
  core.exportVariable('VIRTUAL_ENV', venv.venvPath);
}

/** The gate's decision; its line goes into the summary. */
function gate(
  config: ActionConfig,
  event: RunEvent,
  outcome: TestOutcome,
  coverageProblem?: string,
): Decision {
  return decide(event, outcome, config.gate, coverageProblem);
}

/** coverage, coverage-changed, coverage-file: empty when not measured. */
function setCoverageOutputs(coverage: CoverageOutcome | undefined): void {
  const changed = coverage?.changed?.percent;
  core.setOutput(OUTPUT.coverage, coverage ? formatPercent(coverage.report.percent) : '');
  core.setOutput(OUTPUT.coverageChanged, changed === undefined ? '' : formatPercent(changed));
  core.setOutput(OUTPUT.coverageFile, coverage?.dataFile ?? '');
}

/** The step's failure for a total below coverage-threshold. */
function coverageFailure(coverage: CoverageOutcome | undefined): string | undefined {
  if (!coverage?.problem) return undefined;
  return `${coverage.problem.replace(/^c/, 'C')} (coverage-threshold). Add tests for the least covered files (see the job summary), or lower coverage-threshold.`;
}

/**
 * Outputs, summary and annotations for a result, then the step's verdict. The decision outputs
 * are written last, after everything else, so they are the last word in GITHUB_OUTPUT.
 */
async function finish(
  config: ActionConfig,
  event: RunEvent,
  run: {
    result: TestResult;
    junitPaths: string[];
    rootdir?: string;
    flaky?: string[];
    /** Flaky tests counted but not named (the JUnit reader keeps a bounded number of ids). */
    flakyOmitted?: number;
  },
  testFailure: string | undefined,
  coverage?: CoverageOutcome,
): Promise<void> {
  let failure = testFailure;
  const flaky = run.flaky ?? [];
  const flakyOmitted = run.flakyOmitted ?? 0;
  const flakyCount = flaky.length + flakyOmitted;
  // The first few ids, for the one-line message; the summary lists them all.
  const named = `${flaky.slice(0, 3).join(', ')}${flakyCount > 3 ? ', ...' : ''}`;
  if (flakyCount > 0) {
    core.setOutput(OUTPUT.flaky, String(flakyCount));
    if (config.failOnFlaky && !failure) {
      failure = `${flakyCount} flaky test(s) passed only on a rerun, and fail-on-flaky is true: ${named}. See the job summary.`;
    } else if (!config.failOnFlaky) {
      const message = `${flakyCount} test(s) failed and then passed on a rerun (flaky): ${named}. See the job summary.`;
      // annotations: false (the reusable workflow's matrix jobs): the report job warns once.
      if (config.annotations) core.warning(message);
      else core.info(message);
    }
  } else if (config.reruns > 0) {
    core.setOutput(OUTPUT.flaky, '0');
  }
  const decision = gate(config, event, failure ? 'failure' : 'success', coverage?.problem);
  // Failed tests are the first thing to fix; a low coverage fails the step when they pass.
  failure = failure ?? coverageFailure(coverage);
  setCoverageOutputs(coverage);
  const results = resultsRequest(config, event);
  try {
    // The gate above judged the event as it came; only the comment and its base use the lookup.
    const commentEvent = await withPullRequestBehindRun(config, event);
    // Before the report: the summary and the comment split failures into new and known ones.
    const base = await compareWithBase(
      { ...results, event: commentEvent },
      commentWanted(config.comment, commentEvent, config.python.token),
    );
    await publishReport({
      result: run.result,
      junitPaths: run.junitPaths,
      repoRoot: config.workspace,
      workingDirectory: config.workingDirectory,
      pytestRootdir: run.rootdir,
      extraLines: [comparisonLine(run.result, base), decisionSummaryLine(decision)].filter(
        (line) => line !== '',
      ),
      sections: [flakySection(flaky, config.failOnFlaky, flakyOmitted)].filter((s) => s !== ''),
      stepWillFail: failure !== undefined,
      ...(coverage ? { coverage } : {}),
      annotate: config.annotations,
      commit: commitThatRan(config.context, event),
      runnerTemp: config.runnerTemp,
    });
    await commentOnPullRequest(
      config,
      commentEvent,
      run.result,
      flaky,
      flakyOmitted,
      decision,
      run.rootdir,
      base,
    );
    await recordResults(results, run.result);
  } finally {
    // The tests' verdict stands even when writing the report fails.
    if (failure) core.setFailed(failure);
  }
  setDecisionOutputs(decision);
}

/** Where this run's results are recorded and the base branch's are found. */
function resultsRequest(config: ActionConfig, event: RunEvent): ResultsRequest {
  const { context, shard } = config;
  return {
    event,
    cache: config.cache,
    comment: config.comment,
    scope: {
      workflow: context.workflow,
      job: context.job,
      shard: shard ? `${shard.index}of${shard.total}` : '',
    },
    sha: context.sha,
    runnerTemp: config.runnerTemp,
  };
}

/**
 * A workflow_run behind a fork's pull request: its payload lists none, so it is looked up through
 * the API; the event comes back with the pull request's number and base branch when found.
 */
async function withPullRequestBehindRun(config: ActionConfig, event: RunEvent): Promise<RunEvent> {
  const token = config.python.token;
  const lookup = pullRequestLookup(config.comment, event, token, config.context.repository);
  if (lookup === undefined) return event;
  if ('line' in lookup) {
    core.info(lookup.line);
    return event;
  }
  // Loaded only here, as post.js: Octokit is paid for only by runs that look something up.
  const { findPullRequest } = await import('./report/comment/find-pull-request.js');
  const found = await findPullRequest(token, lookup.query);
  return found ? { ...event, pullRequest: found.number, baseRef: found.baseRef } : event;
}

/** The sticky pull-request comment, when the comment input and the event call for one. */
async function commentOnPullRequest(
  config: ActionConfig,
  event: RunEvent,
  result: TestResult,
  flaky: string[],
  flakyOmitted: number,
  decision: Decision,
  rootdir: string | undefined,
  base: BaseComparison | undefined,
): Promise<void> {
  const token = config.python.token;
  if (!commentWanted(config.comment, event, token) || event.pullRequest === undefined) return;
  const { context } = config;
  const paths = {
    repoRoot: config.workspace,
    workingDirectory: config.workingDirectory,
    pytestRootdir: rootdir,
  };
  const marker = commentMarker(context.workflow, context.job);
  const body = renderComment({
    marker,
    result,
    flaky,
    flakyOmitted,
    deployLine: decisionSummaryLine(decision),
    runUrl: runUrl(context),
    title: [context.workflow, context.job].filter((part) => part !== '').join(' / ') || 'pytest',
    linkFor: failureLinker(commitThatRan(context, event), paths),
    ...(base ? { base } : {}),
  });
  // Loaded only here: Octokit is not needed, nor paid for at start-up, by runs that do not comment.
  const { postComment } = await import('./report/comment/post.js');
  await postComment({
    token,
    repository: context.repository,
    pullRequest: event.pullRequest,
    marker,
    body,
  });
}

/**
 * Flaky tests, one source for both modes: the cases a report marks as passed on a rerun (the
 * rerun merge marks them; a report job reads the shards' merged reports).
 */
function flakyOf(result: TestResult): { flaky: string[]; flakyOmitted: number } {
  return { flaky: result.flaky?.ids ?? [], flakyOmitted: result.flaky?.omitted ?? 0 };
}

function failureCounts(result: TestResult): string {
  return `${result.failed} failed, ${result.errors} errors, ${result.passed} passed`;
}

/** Report-only mode: merge JUnit files written elsewhere (e.g. by shard jobs). */
async function reportOnly(config: ActionConfig, event: RunEvent): Promise<void> {
  core.info(`Report-only mode: reading ${config.junitFiles.length} JUnit file(s).`);
  const result = await readJUnitReports(config.junitFiles);
  let failure: string | undefined;
  if (result.failed + result.errors > 0) {
    failure = `Tests failed: ${failureCounts(result)}. See the job summary.`;
  } else if (result.tests === 0 && !config.allowNoTests) {
    failure =
      'junit-files: the JUnit files hold no test cases. Check that the test jobs ran and uploaded their reports, or set allow-no-tests: true.';
  }
  const coverage = config.coverage.enabled ? await combinedCoverage(config, event) : undefined;
  await finish(
    config,
    event,
    { result, junitPaths: config.junitFiles, ...flakyOf(result) },
    failure,
    coverage,
  );
}

/**
 * Report-only mode: the shards' coverage data files and/or Cobertura XML reports combined; a
 * Python with coverage.py of its own is set up only for data files.
 */
function combinedCoverage(
  config: ActionConfig,
  event: RunEvent,
): Promise<CoverageOutcome | undefined> {
  core.info(`Report-only mode: combining ${config.coverage.files.length} coverage file(s).`);
  return reportOnlyCoverage({
    files: config.coverage.files,
    coveragePython: async () => {
      const interpreter = await setupPython(config.python);
      const scratch = join(config.runnerTemp, `pyci-coverage-venv-${process.pid}`);
      return coverageVenv(
        interpreter.executable,
        scratch,
        config.install.pipArgs,
        config.workingDirectory,
      );
    },
    workspace: config.workspace,
    workingDirectory: config.workingDirectory,
    scratchDir: config.runnerTemp,
    event,
    threshold: config.coverage.threshold,
  });
}

async function fullRun(config: ActionConfig, event: RunEvent): Promise<void> {
  const interpreter = await setupPython(config.python);
  core.setOutput(OUTPUT.pythonVersion, interpreter.version);
  core.setOutput(OUTPUT.pythonPath, interpreter.executable);
  core.setOutput(OUTPUT.pythonSource, interpreter.source);

  const venv = await prepareVenv({ ...config, event, scratchDir: config.runnerTemp }, interpreter);
  core.setOutput(OUTPUT.venvPath, venv.venvPath);
  core.setOutput(OUTPUT.cacheHit, venv.cacheHit ? 'true' : 'false');
  core.setOutput(OUTPUT.cacheKey, venv.cacheKey);
  exportToLaterSteps(interpreter, venv);

  try {
    const measurement = config.coverage.enabled
      ? await prepareMeasurement({
          settings: config.coverage,
          python: venv.python,
          pipArgs: config.install.pipArgs,
          workingDirectory: config.workingDirectory,
          projectDir: config.install.project?.path,
          scratchDir: config.runnerTemp,
          label: config.shard ? `${config.shard.index}of${config.shard.total}` : 'all',
          pytestArgs: config.pytestArgs,
        })
      : undefined;
    const { result, verdict, junitPath, rootdir } = await runTests({
      python: venv.python,
      venvPath: venv.venvPath,
      workingDirectory: config.workingDirectory,
      pytestArgs: config.pytestArgs,
      allowNoTests: config.allowNoTests,
      shard: config.shard,
      shardTimings: config.shardTimings,
      scratchDir: config.runnerTemp,
      timeoutMinutes: config.timeoutMinutes,
      ...(measurement ? { coverage: measurement } : {}),
      reruns: config.reruns,
    });
    if (verdict.ok && verdict.message) core.notice(verdict.message);
    const coverage = measurement
      ? await reportCoverage({
          python: venv.python,
          dataFile: measurement.dataFile,
          workingDirectory: config.workingDirectory,
          workspace: config.workspace,
          scratchDir: config.runnerTemp,
          event,
          threshold: config.coverage.threshold,
          // A shard measures part of the suite: the threshold waits for the combined report.
          applyThreshold: !config.shard || config.shard.total === 1,
          ...(measurement.rcfile ? { rcfile: measurement.rcfile } : {}),
        })
      : undefined;
    const failure = verdict.ok
      ? undefined
      : `${verdict.message?.replace(/\.$/, '')}: ${failureCounts(result)}. See the job summary.`;
    await finish(
      config,
      event,
      { result, junitPaths: junitPath ? [junitPath] : [], rootdir, ...flakyOf(result) },
      failure,
      coverage,
    );
  } finally {
    // The cache save ran alongside the tests; it must end before the step does (it only warns).
    await venv.pendingSave?.complete();
  }
}

export async function run(): Promise<void> {
  try {
    refuseUnknownInputs(process.env, Object.values(INPUT), 'This action');
    const config = readConfig();
    // Read once: the cache policy and the deploy gate judge the same event.
    const event = readRunEvent();
    await (config.junitFiles.length > 0 ? reportOnly(config, event) : fullRun(config, event));
  } catch (error) {
    // The one failure path (runner/failure.ts): deploy=false, one ::error:: line, no stack trace.
    failStep(error);
  }
}
