/**
 * Incremental install: a venv restored from the nearest cache entry (same shape, other
 * dependency files) is brought to exactly what a fresh install would give. pip resolves the same
 * one-resolve install the stage runs, ignoring what is installed, so its report is the fresh
 * set; what is not in it goes, the normal install then changes only what differs, and the
 * result must list exactly the fresh set. Anything else is a problem the caller answers with a
 * fresh install.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { errorMessage } from '../runner/errors.js';
import { captureProgram, execProgram } from '../runner/exec.js';
import { listDistributions } from './checkout-check.js';
import {
  differencesFromFresh,
  parseInstallReport,
  planReconciliation,
  type ReportItem,
} from './fresh-set.js';
import { installAll, type InstallContext } from './install.js';
import { planInstall, type InstallSpec } from './plan.js';
import { declaresPytest } from './pytest-declared.js';

const RESOLVE_TIMEOUT_MS = 15 * 60 * 1000;

export interface IncrementalRequest {
  python: string;
  pythonVersion: string;
  spec: InstallSpec;
  context: InstallContext;
  /** The key of the entry restored, for the log. */
  restoredKey: string;
  /** Where the resolution report is written (removed afterwards). */
  scratchDir: string;
}

/** Resolves undefined when the venv now equals a fresh install; else why not (then install afresh). */
export async function updateIncrementally(
  request: IncrementalRequest,
): Promise<string | undefined> {
  const { python, spec, context } = request;
  let fresh: ReportItem[];
  try {
    fresh = await resolveFresh(request);
  } catch (error) {
    return `pip could not resolve the requirements against the restored environment (${errorMessage(error)})`;
  }
  const installed = await listDistributions(python);
  const plan = planReconciliation(fresh, installed, request.pythonVersion);
  core.info(
    `Restored ${request.restoredKey} (nearest); updating ${plan.update.length} packages, removing ${plan.remove.length}.`,
  );
  if (plan.update.length > 0) core.info(`Updating: ${plan.update.join(', ')}`);
  if (plan.remove.length > 0) {
    core.info(`Removing: ${plan.remove.join(', ')}`);
    const removed = await execProgram(python, ['-m', 'pip', 'uninstall', '--yes', ...plan.remove], {
      cwd: context.workingDirectory,
      env: context.env,
    });
    if (removed.exitCode !== 0) return `pip uninstall failed (exit ${removed.exitCode})`;
  }
  await installAll(python, spec, context);
  const differences = differencesFromFresh(
    fresh,
    await listDistributions(python),
    request.pythonVersion,
  );
  if (differences.length > 0) {
    return `after the incremental install the environment differs from a fresh install's: ${differences.slice(0, 8).join('; ')}`;
  }
  return undefined;
}

/**
 * The full set a fresh install would have: the stage's own pip arguments, with pytest added the
 * way installAll adds it (when the project does not declare it, or declares it somewhere not
 * selected).
 */
async function resolveFresh(request: IncrementalRequest): Promise<ReportItem[]> {
  const { spec, context } = request;
  const addPytest = !declaresPytest({ ...context, packages: spec.packages });
  const fresh = await resolve(request, addPytest);
  if (addPytest || fresh.some((item) => item.name === 'pytest')) return fresh;
  return resolve(request, true);
}

async function resolve(request: IncrementalRequest, addPytest: boolean): Promise<ReportItem[]> {
  const step = planInstall(request.spec, addPytest);
  if (!step) return [];
  const dir = await mkdtemp(join(request.scratchDir, 'pyci-resolve-'));
  const report = join(dir, 'report.json');
  try {
    const [, ...targets] = step.args; // after `install`
    const args = ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet'];
    const result = await captureProgram(request.python, [...args, '--report', report, ...targets], {
      cwd: request.context.workingDirectory,
      env: { ...(request.context.env ?? process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      timeoutMs: RESOLVE_TIMEOUT_MS,
    });
    if (result.exitCode !== 0) {
      const tail = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`exit ${result.exitCode}: ${tail}`);
    }
    return parseInstallReport(await readFile(report, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
