/**
 * The one failure path of both entries (the main action and the gate action): a failed step
 * never deploys and says so in its outputs, and prints one `::error::` line, never a stack trace.
 */
import { constants as osConstants } from 'node:os';
import * as core from '@actions/core';
import { setDeployOutputs } from './deploy-outputs.js';
import { errorMessage, InputError, SetupError } from './errors.js';
import { resumeWorkflowCommands, signalRunningPrograms } from './exec.js';
import { writeFailureSummary } from './job-summary.js';

export const FAILED_STEP_REASON = 'not deploying: the step failed; see its error';

/** One `::error::` per step: a second failure (say, a stray rejection) only goes to debug. */
let reported = false;

export function failStep(error: unknown): void {
  setDeployOutputs(false, '', FAILED_STEP_REASON);
  const message = errorMessage(error);
  const details = error instanceof Error ? (error.stack ?? message) : message;
  if (reported) {
    core.debug(`Also failed: ${details}`);
    return;
  }
  reported = true;
  if (error instanceof InputError || error instanceof SetupError) {
    core.setFailed(message);
    writeFailureSummary('The step failed', message, FAILED_STEP_REASON);
    return;
  }
  core.debug(details);
  const unexpected = `Unexpected error: ${message}. Re-run with step debug logging for details, and report it if it persists.`;
  core.setFailed(unexpected);
  writeFailureSummary('The step failed', unexpected, FAILED_STEP_REASON);
}

/**
 * Exits with the exit code core.setFailed set, once stdout and stderr are flushed (pipes are
 * asynchronous on macOS). Exiting at all matters: a dangling HTTP retry of @actions/cache would
 * otherwise keep the step alive long after its work is done.
 */
function exitWhenFlushed(): void {
  if (cancelledExitCode !== undefined) process.exitCode = cancelledExitCode;
  // Nothing buffered (pipes are synchronous on Linux): exit now, before other work can run.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
  setTimeout(() => process.exit(), 2000).unref();
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}

/** How long pip or pytest may clean up after a cancellation before they are killed. */
const CANCEL_GRACE_MS = 3000;

/**
 * The runner cancels a step by signalling node. pip and pytest run in process groups of their
 * own, so the signal is passed on to them (pytest then runs its teardown), and whatever is left
 * after a grace period is killed before the step ends: nothing outlives a cancelled step.
 */
function stopOnSignal(signal: NodeJS.Signals): void {
  cancelledExitCode = 128 + (osConstants.signals[signal] ?? 0);
  signalRunningPrograms(signal);
  // Our error must not land inside a program's stop-commands block, where the runner ignores it.
  resumeWorkflowCommands();
  failStep(new InputError(`The step was cancelled (${signal}); it does not deploy.`));
  setTimeout(() => {
    signalRunningPrograms('SIGKILL');
    exitWhenFlushed();
  }, CANCEL_GRACE_MS).unref();
}

/** Set once a signal cancelled the step: the exit status then says so, whatever run() did. */
let cancelledExitCode: number | undefined;

/**
 * How an entry file runs its `run()`: errors nobody caught (an uncaught exception, an unhandled
 * rejection) take the failure path and end the step, and the process exits once `run()` settles.
 */
export async function runEntry(run: () => Promise<void>): Promise<void> {
  const failAndExit = (error: unknown): void => {
    failStep(error);
    exitWhenFlushed();
  };
  process.on('uncaughtException', failAndExit);
  process.on('unhandledRejection', failAndExit);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stopOnSignal);
  try {
    await run();
  } catch (error) {
    failStep(error);
  }
  exitWhenFlushed();
}
