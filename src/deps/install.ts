/** Runs the install plan in the venv and makes sure pytest is there. */
import * as core from '@actions/core';
import { InputError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';
import { explainPipFailure, missingExtra, unknownPipOption } from './pip-errors.js';
import type { PipStep } from './plan.js';
import { hasModule } from './venv.js';

export async function runInstallPlan(
  python: string,
  steps: PipStep[],
  context: { workingDirectory: string; requirementFiles: string[]; env?: NodeJS.ProcessEnv },
): Promise<void> {
  for (const step of steps) {
    core.info(`Installing ${step.what}`);
    const result = await execProgram(python, ['-m', 'pip', ...step.args], {
      cwd: context.workingDirectory,
      env: context.env,
    });
    if (result.exitCode !== 0) {
      throw new InputError(explainPipFailure({ step, ...result, ...context }));
    }
    const extra = step.input === 'extras' ? missingExtra(result.output) : undefined;
    if (extra) {
      throw new InputError(
        `extras: the project does not define the extra "${extra}" in [project.optional-dependencies]. Fix the extras input or add the extra to pyproject.toml.`,
      );
    }
  }
}

/** Installs pytest when the environment lacks it, and says so. */
export async function ensurePytest(
  python: string,
  pipArgs: string[],
  workingDirectory: string,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  if (await hasModule(python, 'pytest')) return;
  core.notice(
    'pytest is not among the project dependencies; installing it. Add it to your requirements to pin its version.',
  );
  const result = await execProgram(python, ['-m', 'pip', 'install', 'pytest', ...pipArgs], {
    cwd: workingDirectory,
    env,
  });
  if (result.exitCode !== 0) {
    const badOption = unknownPipOption(result.output, result.exitCode);
    if (badOption) throw new InputError(badOption);
    throw new InputError(
      `Could not install pytest (pip exit ${result.exitCode}). Add pytest to your requirements, or make it reachable through pip-args.`,
    );
  }
}
