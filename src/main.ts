/**
 * Orchestration only: read the config, run the stages in order, hand their plain values to the
 * next, set outputs. Each stage lives in its own folder.
 */
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
import { publishReport } from './report/publish.js';
import { failStep } from './runner/failure.js';
import { INPUT } from './runner/names.js';
import { refuseUnknownInputs } from './runner/unknown-inputs.js';
import { readJUnitReports } from './pytest/junit.js';
import type { TestResult } from './pytest/result.js';
import { runTests } from './pytest/stage.js';

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
function gate(config: ActionConfig, event: RunEvent, outcome: TestOutcome): Decision {
  return decide(event, outcome, config.gate);
}

/**
 * Outputs, summary and annotations for a result, then the step's verdict. The decision outputs
 * are written last, after everything else, so they are the last word in GITHUB_OUTPUT.
 */
async function finish(
  config: ActionConfig,
  event: RunEvent,
  run: { result: TestResult; junitPaths: string[]; rootdir?: string },
  failure: string | undefined,
): Promise<void> {
  const decision = gate(config, event, failure ? 'failure' : 'success');
  try {
    await publishReport({
      result: run.result,
      junitPaths: run.junitPaths,
      repoRoot: config.workspace,
      workingDirectory: config.workingDirectory,
      pytestRootdir: run.rootdir,
      extraLines: [decisionSummaryLine(decision)],
      stepWillFail: failure !== undefined,
    });
  } finally {
    // The tests' verdict stands even when writing the report fails.
    if (failure) core.setFailed(failure);
  }
  setDecisionOutputs(decision);
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
  await finish(config, event, { result, junitPaths: config.junitFiles }, failure);
}

async function fullRun(config: ActionConfig, event: RunEvent): Promise<void> {
  if (config.python.token) core.setSecret(config.python.token);

  const interpreter = await setupPython(config.python);
  core.setOutput('python-version', interpreter.version);
  core.setOutput('python-path', interpreter.executable);
  core.setOutput('python-source', interpreter.source);

  const venv = await prepareVenv({ ...config, event, scratchDir: config.runnerTemp }, interpreter);
  core.setOutput('venv-path', venv.venvPath);
  core.setOutput('cache-hit', venv.cacheHit ? 'true' : 'false');
  core.setOutput('cache-key', venv.cacheKey);
  exportToLaterSteps(interpreter, venv);

  try {
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
    });
    if (verdict.ok && verdict.message) core.notice(verdict.message);
    const failure = verdict.ok
      ? undefined
      : `${verdict.message?.replace(/\.$/, '')}: ${failureCounts(result)}. See the job summary.`;
    await finish(
      config,
      event,
      { result, junitPaths: junitPath ? [junitPath] : [], rootdir },
      failure,
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
