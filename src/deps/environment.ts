/** The dependency stage: a virtualenv with everything the project declares, plus pytest. */
import * as core from '@actions/core';
import type { Interpreter } from '../python/interpreter.js';
import { ensurePytest, runInstallPlan } from './install.js';
import { planInstall, type InstallSpec } from './plan.js';
import { createVenv, venvBinDir, venvPython } from './venv.js';

/** The environment later stages run in. */
export interface Environment {
  venvPath: string;
  /** The venv's python executable. */
  python: string;
  binDir: string;
}

export interface EnvironmentRequest {
  venvPath: string;
  workingDirectory: string;
  install: InstallSpec;
  dependencyFiles: string[];
}

export async function prepareEnvironment(request: EnvironmentRequest, interpreter: Interpreter): Promise<Environment> {
  const environment: Environment = {
    venvPath: request.venvPath,
    python: venvPython(request.venvPath),
    binDir: venvBinDir(request.venvPath),
  };
  core.startGroup(`Creating virtualenv ${request.venvPath}`);
  try {
    await createVenv(interpreter.executable, request.venvPath);
    await runInstallPlan(environment.python, planInstall(request.install), {
      workingDirectory: request.workingDirectory,
      requirementFiles: request.dependencyFiles,
    });
    await ensurePytest(environment.python, request.install.pipArgs, request.workingDirectory);
  } finally {
    core.endGroup();
  }
  return environment;
}
