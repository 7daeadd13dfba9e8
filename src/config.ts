/**
 * Every input of the main action, read and validated in one place. Later stages receive the
 * typed ActionConfig (or the plain values they need), never raw inputs.
 */
import { existsSync, statSync } from 'node:fs';
import { arch as osArch, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { InstallSpec } from './deps/plan.js';
import { resolveRequirementFiles } from './deps/requirements.js';
import { normalizeArchitecture, parsePythonSources } from './python/inputs.js';
import type { PythonRequest } from './python/setup.js';
import { splitArgs } from './runner/argv.js';
import { InputError } from './runner/errors.js';
import { parseBoolean, parseChoice, parseLines, runnerInput, type InputGetter } from './runner/inputs.js';

export const DEFAULT_MANIFEST_URL =
  'https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json';

export interface ActionConfig {
  /** GITHUB_WORKSPACE: the repository root. */
  workspace: string;
  /** Absolute path of the Python project. */
  workingDirectory: string;
  python: PythonRequest;
  /** Absolute path of the virtualenv. */
  venvPath: string;
  /** What to install into the venv. */
  install: InstallSpec;
  /** Every file that shapes the environment: requirement files with their -r/-c includes. */
  dependencyFiles: string[];
  pytestArgs: string[];
  /** Whether "no tests collected" (pytest exit 5) passes the step. */
  allowNoTests: boolean;
  /** Where the JUnit report and other scratch files go (RUNNER_TEMP). */
  runnerTemp: string;
}

export type InstallProject = 'auto' | 'true' | 'false';

/** The runner's architecture in setup-python's spelling (x64, arm64, ...). */
function defaultArchitecture(env: NodeJS.ProcessEnv): string {
  return normalizeArchitecture(env.RUNNER_ARCH || osArch());
}

/** Whether the working directory holds an installable project. */
function hasProjectFile(dir: string): boolean {
  return existsSync(join(dir, 'pyproject.toml')) || existsSync(join(dir, 'setup.py'));
}

/** Names separated by commas, spaces or newlines (extras, dependency groups). */
function parseNames(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** What to install, validated against the files in the working directory. */
function readInstallSpec(get: InputGetter, workingDirectory: string): InstallSpec {
  const installProject = parseChoice('install-project', get('install-project'), ['auto', 'true', 'false'] as const, 'auto');
  const extras = parseNames(get('extras'));
  const groups = parseNames(get('dependency-groups'));
  const projectPresent = hasProjectFile(workingDirectory);
  if (installProject === 'true' && !projectPresent) {
    throw new InputError(
      `install-project is true, but ${workingDirectory} has neither pyproject.toml nor setup.py. Set working-directory to the project's folder, or install-project: false.`,
    );
  }
  const project = installProject === 'true' || (installProject === 'auto' && projectPresent);
  if (extras.length > 0 && !project) {
    throw new InputError(
      `extras (${extras.join(', ')}) are given but the project is not installed (install-project: ${installProject}${projectPresent ? '' : ', and no pyproject.toml or setup.py was found'}). Remove extras or install the project.`,
    );
  }
  if (groups.length > 0 && !existsSync(join(workingDirectory, 'pyproject.toml'))) {
    throw new InputError(
      `dependency-groups (${groups.join(', ')}) are given but ${workingDirectory} has no pyproject.toml to define them in [dependency-groups].`,
    );
  }
  return {
    requirementFiles: [],
    project: project
      ? { path: workingDirectory, editable: parseBoolean('editable', get('editable'), false), extras }
      : null,
    dependencyGroups: groups,
    packages: parseLines(get('packages')).flatMap((line) => splitArgs(line, 'packages')),
    pipArgs: splitArgs(get('pip-args'), 'pip-args'),
  };
}

function readWorkingDirectory(raw: string, workspace: string): string {
  const dir = resolve(workspace, raw || '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(
      `working-directory "${raw}" does not exist (looked for ${dir}). Set it to the folder of your Python project, relative to the repository root, and check out the repository first (actions/checkout).`,
    );
  }
  return dir;
}

export function readConfig(get: InputGetter = runnerInput, env: NodeJS.ProcessEnv = process.env): ActionConfig {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const workingDirectory = readWorkingDirectory(get('working-directory'), workspace);
  const runnerTemp = env.RUNNER_TEMP || tmpdir();

  const venvInput = get('venv-path') || '.venv';
  const venvPath = isAbsolute(venvInput) ? venvInput : join(workingDirectory, venvInput);

  const token = get('token');
  const python: PythonRequest = {
    versionSpec: get('python-version'),
    versionFile: get('python-version-file'),
    workingDirectory,
    architecture: get('architecture') ? normalizeArchitecture(get('architecture')) : defaultArchitecture(env),
    allowPrereleases: parseBoolean('allow-prereleases', get('allow-prereleases'), false),
    sources: parsePythonSources(get('python-source')),
    manifestUrl: get('manifest-url') || DEFAULT_MANIFEST_URL,
    token,
    checkLatest: parseBoolean('check-latest', get('check-latest'), false),
    toolCacheDir: env.RUNNER_TOOL_CACHE || join(runnerTemp, 'tool-cache'),
  };

  const requirements = resolveRequirementFiles(parseLines(get('requirements')), workingDirectory);
  const install = readInstallSpec(get, workingDirectory);

  return {
    workspace,
    workingDirectory,
    python,
    venvPath,
    install: { ...install, requirementFiles: requirements.install },
    dependencyFiles: requirements.all,
    pytestArgs: splitArgs(get('pytest-args'), 'pytest-args'),
    allowNoTests: parseBoolean('allow-no-tests', get('allow-no-tests'), false),
    runnerTemp,
  };
}
