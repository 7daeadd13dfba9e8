/**
 * Orchestration only: read the config, run the stages in order, hand their plain values to the
 * next, set outputs. Each stage lives in its own folder.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as core from '@actions/core';
import { readConfig, type ActionConfig } from './config.js';
import { prepareEnvironment, type Environment } from './deps/environment.js';
import type { Interpreter } from './python/interpreter.js';
import { pythonEnvironment, setupPython } from './python/setup.js';
import { buildAnnotations, emitAnnotations } from './report/annotations.js';
import { testOutputs } from './report/outputs.js';
import { renderSummary } from './report/summary.js';
import { InputError } from './runner/errors.js';
import { readJUnitReports } from './tests/junit.js';
import { judgePytestExit, runPytest } from './tests/pytest.js';
import type { TestResult } from './tests/result.js';

/** Makes the interpreter and the venv the default for the job's later steps. */
function exportEnvironment(interpreter: Interpreter, environment: Environment): void {
  const exported = pythonEnvironment(interpreter);
  for (const [name, value] of Object.entries(exported.variables)) core.exportVariable(name, value);
  for (const dir of exported.path) core.addPath(dir);
  // Added last, so it comes first on PATH.
  core.addPath(environment.binDir);
  core.exportVariable('VIRTUAL_ENV', environment.venvPath);
}

async function runTestStage(config: ActionConfig, environment: Environment): Promise<TestResult> {
  const junitPath = join(config.runnerTemp, `pyci-junit-${randomUUID()}.xml`);
  core.startGroup('Running pytest');
  const run = await runPytest(environment.python, config.pytestArgs, {
    cwd: config.workingDirectory,
    junitPath,
    env: { ...process.env, VIRTUAL_ENV: environment.venvPath },
  });
  core.endGroup();
  const verdict = judgePytestExit(run.exitCode, run.output, config.allowNoTests);
  if (!verdict.hasReport) throw new InputError(verdict.message ?? `pytest exited with ${run.exitCode}.`);

  const result = await readJUnitReports([junitPath]);
  for (const [name, value] of Object.entries(testOutputs(result, junitPath))) core.setOutput(name, value);
  await core.summary.addRaw(renderSummary(result, { junitPaths: [junitPath] }), true).write();
  emitAnnotations(
    buildAnnotations(result, { repoRoot: config.workspace, workingDirectory: config.workingDirectory }),
  );
  if (!verdict.ok) {
    const counts = `${result.failed} failed, ${result.errors} errors, ${result.passed} passed`;
    throw new InputError(`${verdict.message} (${counts}; see the job summary).`);
  }
  if (verdict.message) core.notice(verdict.message);
  return result;
}

export async function run(): Promise<void> {
  try {
    const config = readConfig();
    if (config.python.token) core.setSecret(config.python.token);

    const interpreter = await setupPython(config.python);
    core.setOutput('python-version', interpreter.version);
    core.setOutput('python-path', interpreter.executable);
    core.setOutput('python-source', interpreter.source);

    const environment = await prepareEnvironment(config, interpreter);
    core.setOutput('venv-path', environment.venvPath);
    exportEnvironment(interpreter, environment);

    await runTestStage(config, environment);
  } catch (error) {
    fail(error);
  }
}

/** One ::error:: line and a failed step; never a stack trace (it goes to the debug log). */
function fail(error: unknown): void {
  if (error instanceof InputError) {
    core.setFailed(error.message);
    return;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  core.debug(err.stack ?? err.message);
  core.setFailed(`Unexpected error: ${err.message}. Re-run with step debug logging for details, and report it if it persists.`);
}
