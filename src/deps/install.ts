/**
 * Runs the install: everything declared in one pip resolve (pytest included when the project does
 * not declare it), then checks that the project in the venv is the checkout.
 */
import * as core from '@actions/core';
import { InputError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';
import { checkProjectIsCheckout } from './checkout-check.js';
import { explainPipFailure, missingExtra } from './pip-errors.js';
import { planInstall, planProjectRefresh, type InstallSpec, type PipStep } from './plan.js';
import { declaresPytest } from './pytest-declared.js';
import { hasModule } from './venv.js';

export interface InstallContext {
  workingDirectory: string;
  /** Every requirement file involved (with -r/-c includes), for error messages. */
  requirementFiles: string[];
  env?: NodeJS.ProcessEnv;
}

async function runPipStep(
  python: string,
  step: PipStep,
  spec: InstallSpec,
  context: InstallContext,
): Promise<void> {
  core.info(`Installing ${step.what}`);
  const result = await execProgram(python, ['-m', 'pip', ...step.args], {
    cwd: context.workingDirectory,
    env: context.env,
  });
  if (result.exitCode !== 0) {
    throw new InputError(
      explainPipFailure({ step, ...result, ...context, packages: spec.packages }),
    );
  }
  // pip only warns about an unknown extra (also for a dependency's); ours is an input error.
  const extra = missingExtra(result.output);
  if (extra && spec.project?.extras.includes(extra)) {
    throw new InputError(
      `extras: the project does not define the extra "${extra}" in [project.optional-dependencies]. Fix the extras input or add the extra to pyproject.toml.`,
    );
  }
}

const PYTEST_NOTICE =
  'pytest is not among the project dependencies; installing it. Add it to your requirements to pin its version.';

/** A fresh venv: one resolve of everything, pytest made sure of, the project checked. */
export async function installAll(
  python: string,
  spec: InstallSpec,
  context: InstallContext,
): Promise<void> {
  const addPytest = !declaresPytest({ ...context, packages: spec.packages });
  if (addPytest) core.notice(PYTEST_NOTICE);
  const step = planInstall(spec, addPytest);
  if (step) await runPipStep(python, step, spec, context);
  if (!addPytest && !(await hasModule(python, 'pytest'))) {
    // Named somewhere but not installed (an extra or group not selected): resolve everything
    // again with pytest, so pip still cannot trade the project for pytest's requirements.
    core.notice(PYTEST_NOTICE);
    await runPipStep(python, planInstall(spec, true)!, spec, context);
  }
  if (spec.project) await checkProjectIsCheckout(python, spec.project.path);
}

/** A venv restored from cache: the project alone, reinstalled from the checkout, then checked. */
export async function refreshProject(
  python: string,
  spec: InstallSpec,
  context: InstallContext,
): Promise<boolean> {
  const step = planProjectRefresh(spec);
  if (!step || !spec.project) return false;
  await runPipStep(python, step, spec, context);
  await checkProjectIsCheckout(python, spec.project.path);
  return true;
}
