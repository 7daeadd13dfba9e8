/**
 * Every input of the main action, read and validated in one place. Later stages receive the
 * typed ActionConfig (or the plain values they need), never raw inputs.
 */
import { existsSync, statSync } from 'node:fs';
import { arch as osArch, homedir, tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { expandDependencyPatterns } from './deps/cache/key-files.js';
import { validateKeySuffix } from './deps/cache/key.js';
import { CACHE_SAVE_POLICIES } from './deps/cache/policy.js';
import type { CacheSettings } from './deps/prepare.js';
import type { InstallSpec } from './deps/plan.js';
import { resolveRequirementFiles } from './deps/requirements.js';
import { readGateRules } from './gate/inputs.js';
import type { GateRules } from './gate/rules.js';
import { normalizeArchitecture, parsePythonSources } from './python/inputs.js';
import { DEFAULT_MANIFEST_URL } from './python/manifest.js';
import type { PythonRequest } from './python/setup.js';
import { parseVersionSpec } from './python/spec.js';
import { splitArgs } from './runner/argv.js';
import { readRunContext, type RunContext } from './runner/context.js';
import { registerSecret } from './runner/job-summary.js';
import type { CommentMode } from './report/comment/when.js';
import { InputError } from './runner/errors.js';
import { findFiles } from './runner/files.js';
import {
  parseBoolean,
  parseChoice,
  parseLines,
  parseNames,
  parseSize,
  runnerInput,
  type InputGetter,
} from './runner/inputs.js';
import { refuseJunitFamily } from './pytest/pytest-args.js';
import { parseShard, type Shard } from './pytest/shards.js';
import { parseCoverageInput, parseThreshold, type CoverageSettings } from './coverage/settings.js';

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
  /** Stop pytest after this many minutes (undefined: no limit). */
  timeoutMinutes?: number;
  /** Whether "no tests collected" (pytest exit 5) passes the step. */
  allowNoTests: boolean;
  cache: CacheSettings;
  shard?: Shard;
  /** Absolute path of a JUnit report from an earlier run, to balance shards by duration. */
  shardTimings?: string;
  /** Report-only mode: JUnit files to merge instead of setting anything up (empty: normal run). */
  junitFiles: string[];
  coverage: CoverageSettings;
  gate: GateRules;
  /** Where the JUnit report and other scratch files go (RUNNER_TEMP). */
  runnerTemp: string;
  /** How many times failed tests run again (0: never). */
  reruns: number;
  /** Whether a test that passed only on a rerun fails the step. */
  failOnFlaky: boolean;
  /** Whether failures are annotated at file:line. */
  annotations: boolean;
  comment: CommentMode;
  /** The run's coordinates (repository, commit, run id, ...). */
  context: RunContext;
}

const MAX_RERUNS = 10;

function readReruns(raw: string): number {
  if (raw === '') return 0;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= MAX_RERUNS)) {
    throw new InputError(
      `reruns "${raw}" is not a whole number from 0 to ${MAX_RERUNS}. Give how many times failed tests may run again, e.g. 2.`,
    );
  }
  return value;
}

/** Report-only mode: every pattern must match at least one file. */
function readJUnitFiles(patterns: string[], workingDirectory: string): string[] {
  const files = patterns.flatMap((pattern) => {
    const found = findFiles(workingDirectory, pattern);
    if (found.length === 0) {
      throw new InputError(
        `junit-files: nothing matches "${pattern}" (relative to ${workingDirectory}). Check the path the JUnit files were downloaded to (actions/download-artifact's path).`,
      );
    }
    return found;
  });
  return [...new Set(files)];
}

/**
 * coverage, coverage-threshold and coverage-files. Data files are only combined in report-only
 * mode, and a threshold without measuring would never be checked: both are errors.
 */
function readCoverage(
  get: InputGetter,
  workingDirectory: string,
  reportOnly: boolean,
): CoverageSettings {
  const measure = parseCoverageInput(parseLines(get('coverage')));
  const threshold = parseThreshold(get('coverage-threshold'));
  const patterns = parseLines(get('coverage-files'));
  if (patterns.length > 0 && !reportOnly) {
    throw new InputError(
      'coverage-files is set but junit-files is not: coverage data files are combined in report-only mode. Set junit-files to the shard reports too, or remove coverage-files.',
    );
  }
  const files = patterns.flatMap((pattern) => {
    const found = findFiles(workingDirectory, pattern);
    if (found.length === 0) {
      throw new InputError(
        `coverage-files: nothing matches "${pattern}" (relative to ${workingDirectory}). Check the path the data files or coverage XML reports were downloaded to (actions/download-artifact's path; data files' names start with a dot, so upload them with include-hidden-files: true).`,
      );
    }
    return found;
  });
  const enabled = reportOnly ? files.length > 0 : measure.enabled;
  if (threshold !== undefined && !enabled) {
    throw new InputError(
      reportOnly
        ? 'coverage-threshold is set but coverage-files is not: in report-only mode the threshold applies to the combined data files. Set coverage-files, or remove coverage-threshold.'
        : 'coverage-threshold is set but coverage is off. Set coverage: true (or the packages to measure), or remove coverage-threshold.',
    );
  }
  return { enabled, sources: measure.sources, threshold, files: [...new Set(files)] };
}

function readShardTimings(raw: string, workingDirectory: string): string | undefined {
  if (raw === '') return undefined;
  const path = resolve(workingDirectory, raw);
  if (!existsSync(path)) {
    throw new InputError(
      `shard-timings: file not found: ${path}. Point it at a JUnit report from an earlier full run, or leave it empty to balance by file.`,
    );
  }
  return path;
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

/** What to install, validated against the files in the working directory. */
function readInstallSpec(get: InputGetter, workingDirectory: string): InstallSpec {
  const installProject = parseChoice(
    'install-project',
    get('install-project'),
    ['auto', 'true', 'false'] as const,
    'auto',
  );
  const extras = parseNames(get('extras'));
  const groups = parseNames(get('dependency-groups'));
  const projectPresent = hasProjectFile(workingDirectory);
  if (installProject === 'true' && !projectPresent) {
    throw new InputError(
      `install-project is true, but ${workingDirectory} has neither pyproject.toml nor setup.py. Set working-directory to the project's folder, or install-project: false.`,
    );
  }
  const project = installProject === 'true' || (installProject === 'auto' && projectPresent);
  const editable = parseBoolean('editable', get('editable'), false);
  if (editable && !project) {
    throw new InputError(
      `editable is true but the project is not installed (install-project: ${installProject}${projectPresent ? '' : ', and no pyproject.toml or setup.py was found'}). Remove editable or install the project.`,
    );
  }
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
    project: project ? { path: workingDirectory, editable, extras } : null,
    dependencyGroups: groups,
    packages: parseLines(get('packages')).flatMap((line) => splitArgs(line, 'packages')),
    pipArgs: splitArgs(get('pip-args'), 'pip-args'),
  };
}

function readWorkingDirectory(raw: string, workspace: string): string {
  const dir = resolve(workspace, raw || '.');
  // Outside the checkout the venv, caches and installs would land in folders that are not ours.
  if (!isWithin(dir, resolve(workspace))) {
    throw new InputError(
      `working-directory "${raw}" resolves to ${dir}, outside the repository (GITHUB_WORKSPACE ${workspace}). Set it to the folder of your Python project inside the checkout, relative to the repository root.`,
    );
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(
      `working-directory "${raw}" does not exist (looked for ${dir}). Set it to the folder of your Python project, relative to the repository root, and check out the repository first (actions/checkout).`,
    );
  }
  return dir;
}

/** True when `inner` is `outer` or inside it. */
function isWithin(inner: string, outer: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/**
 * The venv folder is deleted and recreated: it must never be (or contain) the project, the
 * repository, the home folder or the file system root.
 */
function readVenvPath(raw: string, workingDirectory: string, workspace: string): string {
  if (raw.startsWith('~')) {
    // Inputs reach the action verbatim: `~` would become a folder named "~" in the project.
    throw new InputError(
      `venv-path "${raw}" starts with ~, which the action does not expand (no shell reads inputs). Use a path relative to working-directory (e.g. .venv), or an absolute one (e.g. \${{ runner.temp }}/venv).`,
    );
  }
  const venvPath = resolve(workingDirectory, raw || '.venv');
  if (existsSync(venvPath) && !statSync(venvPath).isDirectory()) {
    throw new InputError(
      `venv-path "${raw}" is ${venvPath}, an existing file, not a folder; the action will not replace it. Point venv-path at a new folder, e.g. .venv (the default).`,
    );
  }
  const precious = [workingDirectory, workspace, homedir(), '/'];
  const hit = precious.find((dir) => isWithin(dir, venvPath));
  if (hit !== undefined) {
    throw new InputError(
      `venv-path "${raw}" resolves to ${venvPath}, which ${venvPath === hit ? 'is' : 'contains'} ${hit}; the action deletes and recreates that folder. Use a folder of its own, e.g. .venv (the default).`,
    );
  }
  return venvPath;
}

/** setTimeout's limit (2^31-1 ms) is about 35,791 minutes; a week is far above any real job. */
const MAX_TIMEOUT_MINUTES = 7 * 24 * 60;

/** `timeout-minutes`: empty for none, else a positive number of minutes (fractions allowed). */
export function readTimeoutMinutes(raw: string): number | undefined {
  if (raw === '') return undefined;
  const minutes = /^\d+(\.\d+)?$|^\.\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(minutes > 0) || minutes > MAX_TIMEOUT_MINUTES) {
    throw new InputError(
      `timeout-minutes is "${raw}", which is not a number of minutes between 0 and ${MAX_TIMEOUT_MINUTES}. Give e.g. 30 (or 0.5), or leave it empty for no limit.`,
    );
  }
  return minutes;
}

/** An http(s) URL, or an error naming the input. */
function readUrl(name: string, raw: string, fallback: string): string {
  if (raw === '') return fallback;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InputError(
      `${name} "${raw}" is not an http(s) URL. Give the full address, e.g. ${fallback}.`,
    );
  }
  return raw;
}

const MAX_CACHE_TIMEOUT_SECONDS = 6 * 60 * 60;

/** `cache-local-max-size` when empty: 10 GiB (action.yml's default too). */
const DEFAULT_LOCAL_MAX_BYTES = 10 * 2 ** 30;

/** `cache-max-size` when empty: 2 GiB (action.yml's default too). */
const DEFAULT_MAX_SAVE_BYTES = 2 * 2 ** 30;

/** Whole seconds, 1 to 6 hours (a job's own limit); empty: 300. */
function readCacheTimeout(raw: string): number {
  if (raw.trim() === '') return 300;
  const seconds = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_CACHE_TIMEOUT_SECONDS)) {
    throw new InputError(
      `cache-timeout "${raw}" is not a whole number of seconds from 1 to ${MAX_CACHE_TIMEOUT_SECONDS}. Give seconds without a unit, e.g. 300.`,
    );
  }
  return seconds;
}

/**
 * `cache-local-secret`, masked in the log and removed from this process's environment, so the
 * test process (which inherits it) never sees it.
 */
function readLocalSecret(value: string): string {
  for (const name of Object.keys(process.env)) {
    if (/^INPUT_CACHE-LOCAL-SECRET$/i.test(name)) delete process.env[name];
  }
  registerSecret(value);
  return value;
}

export function readConfig(
  get: InputGetter = runnerInput,
  env: NodeJS.ProcessEnv = process.env,
): ActionConfig {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const workingDirectory = readWorkingDirectory(get('working-directory'), workspace);
  const runnerTemp = env.RUNNER_TEMP || tmpdir();
  const gate = readGateRules(get);
  const junitFiles = readJUnitFiles(parseLines(get('junit-files')), workingDirectory);

  const venvPath = readVenvPath(get('venv-path'), workingDirectory, workspace);

  const token = get('token');
  // Masked before anything can print it, and kept out of a failure summary.
  registerSecret(token);
  const allowPrereleases = parseBoolean('allow-prereleases', get('allow-prereleases'), false);
  // Validate the spec now, so a typo fails before anything is downloaded or installed.
  for (const line of parseLines(get('python-version')))
    parseVersionSpec(line, { allowPrereleases });
  const python: PythonRequest = {
    versionSpec: get('python-version'),
    versionFile: get('python-version-file'),
    workingDirectory,
    architecture: get('architecture')
      ? normalizeArchitecture(get('architecture'))
      : defaultArchitecture(env),
    allowPrereleases,
    sources: parsePythonSources(get('python-source')),
    manifestUrl: readUrl('manifest-url', get('manifest-url'), DEFAULT_MANIFEST_URL),
    token,
    checkLatest: parseBoolean('check-latest', get('check-latest'), false),
    toolCacheDir: env.RUNNER_TOOL_CACHE || join(runnerTemp, 'tool-cache'),
  };

  const shard = parseShard(get('shard'));
  const shardTimings = readShardTimings(get('shard-timings'), workingDirectory);
  if (shardTimings && !shard) {
    throw new InputError(
      'shard-timings is set but shard is not: timings only balance shards. Set shard (e.g. 1/4) or remove shard-timings.',
    );
  }

  const pytestArgs = splitArgs(get('pytest-args'), 'pytest-args');
  refuseJunitFamily(pytestArgs);

  const requirements = resolveRequirementFiles(parseLines(get('requirements')), workingDirectory);
  const install = readInstallSpec(get, workingDirectory);
  const coverage = readCoverage(get, workingDirectory, junitFiles.length > 0);

  return {
    workspace,
    workingDirectory,
    python,
    venvPath,
    install: {
      ...install,
      requirementFiles: requirements.install,
      // pytest-cov joins the one resolve, so it is cached with the venv.
      testTools: coverage.enabled && junitFiles.length === 0 ? ['pytest-cov'] : [],
    },
    dependencyFiles: requirements.all,
    pytestArgs,
    timeoutMinutes: readTimeoutMinutes(get('timeout-minutes')),
    allowNoTests: parseBoolean('allow-no-tests', get('allow-no-tests'), false),
    cache: {
      mode: parseChoice('cache', get('cache'), ['venv', 'pip', 'none'] as const, 'venv'),
      dir: get('cache-dir') ? resolve(workspace, get('cache-dir')) : '',
      // Resolved now, so a pattern that matches nothing fails before any work.
      dependencyPath: expandDependencyPatterns(
        parseLines(get('cache-dependency-path')),
        workingDirectory,
      ),
      keySuffix: validateKeySuffix(get('cache-key-suffix')),
      timeoutSeconds: readCacheTimeout(get('cache-timeout')),
      localSecret: readLocalSecret(get('cache-local-secret')),
      localMaxBytes:
        parseSize('cache-local-max-size', get('cache-local-max-size')) ?? DEFAULT_LOCAL_MAX_BYTES,
      save: parseChoice('cache-save', get('cache-save'), CACHE_SAVE_POLICIES, 'default-branch'),
      maxSaveBytes: parseSize('cache-max-size', get('cache-max-size')) ?? DEFAULT_MAX_SAVE_BYTES,
    },
    shard,
    shardTimings,
    junitFiles,
    coverage,
    gate,
    runnerTemp,
    reruns: readReruns(get('reruns')),
    failOnFlaky: parseBoolean('fail-on-flaky', get('fail-on-flaky'), false),
    annotations: parseBoolean('annotations', get('annotations'), true),
    comment: parseChoice('comment', get('comment'), ['auto', 'always', 'off'] as const, 'auto'),
    context: readRunContext(env),
  };
}
