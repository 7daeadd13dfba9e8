/**
 * The coverage stage: what pytest is given to measure, and after it the report: the JSON report
 * read, the changed lines of a pull request, the threshold. In report-only mode, the shards' data
 * files combined first. Hands a plain CoverageOutcome to the report and the gate.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import { PULL_REQUEST_EVENTS, type RunEvent } from '../runner/event.js';
import { changedCoverage, type ChangedCoverage } from './changed.js';
import type { ChangedLines } from './diff.js';
import { changedLinesSince } from './git.js';
import { ownPackages } from './own-packages.js';
import {
  measureWhat,
  parallelFiles,
  readProjectConfig,
  userCovConfig,
  warningFilterArgs,
} from './project-config.js';
import { checkoutRoots, pathsRc } from './paths.js';
import { readCoverageJson } from './read-report.js';
import type { CoverageReport } from './report.js';
import { thresholdProblem, type CoverageSettings } from './settings.js';
import {
  combineData,
  combineParallel,
  ensurePytestCov,
  recordedPaths,
  writeReport,
} from './tool.js';

/** What the pytest run needs to measure coverage. */
export interface CoverageMeasurement {
  /** Where coverage.py writes its data (COVERAGE_FILE). */
  dataFile: string;
  /** pytest arguments: --cov=<source>... (or a bare --cov), no terminal report, warning filters. */
  args: string[];
  env: Record<string, string>;
  /** The --cov-config the user gave pytest: the report commands read it too. */
  rcfile?: string;
}

export interface CoverageOutcome {
  report: CoverageReport;
  /** On pull requests: coverage of the changed lines, or why it is not known. */
  changed?: ChangedCoverage;
  changedUnavailable?: string;
  threshold?: number;
  /** Set when the total is below the threshold: "coverage 71.2% is below 80%". */
  problem?: string;
  /** Set when the threshold was not applied (a shard measures part of the suite). */
  thresholdNote?: string;
  /** The data file the report was made from (a shard's, to upload). */
  dataFile: string;
}

export async function prepareMeasurement(request: {
  settings: CoverageSettings;
  python: string;
  pipArgs: string[];
  workingDirectory: string;
  /** The installed project's folder, when the project is installed. */
  projectDir?: string;
  scratchDir: string;
  /** e.g. "2of4"; "all" for a whole run. */
  label: string;
  /** The user's pytest arguments (a --cov-config there is the configuration pytest-cov reads). */
  pytestArgs?: string[];
}): Promise<CoverageMeasurement> {
  await ensurePytestCov(request.python, request.pipArgs, request.workingDirectory);
  const rcfile = userCovConfig(request.pytestArgs ?? []);
  const config = await readProjectConfig(request.python, request.workingDirectory, rcfile);
  if (config.error)
    core.info(`coverage: could not read the coverage configuration: ${config.error}`);
  const what = measureWhat(config, request.settings.sources);
  if (what.kind !== 'own-packages' && what.note) core.info(what.note);
  const covArgs =
    what.kind === 'config'
      ? ['--cov']
      : (what.kind === 'sources'
          ? what.sources
          : await ownPackages(request.python, request.projectDir, request.workingDirectory)
        ).map((source) => `--cov=${source}`);
  const dir = join(request.scratchDir, 'pyci-coverage');
  mkdirSync(dir, { recursive: true });
  // One name per shard and run: data files from every shard can be downloaded side by side.
  const dataFile = join(dir, `.coverage.${request.label}.${randomUUID().slice(0, 8)}`);
  return {
    dataFile,
    args: [...covArgs, '--cov-report=', ...warningFilterArgs(config)],
    env: { COVERAGE_FILE: dataFile },
    ...(rcfile ? { rcfile: resolve(request.workingDirectory, rcfile) } : {}),
  };
}

interface ReportRequest {
  python: string;
  dataFile: string;
  workingDirectory: string;
  workspace: string;
  scratchDir: string;
  event: RunEvent;
  threshold?: number;
  /** False for a shard: its part of the suite is not the project's coverage. */
  applyThreshold: boolean;
  /** The user's --cov-config (absolute), for coverage's own commands. */
  rcfile?: string;
}

/**
 * The repository path of a file coverage.py reports (relative to the working directory, or
 * absolute); a project installed without -e is found back in the checkout (src/ or flat layout).
 */
function repoPathOf(
  reported: string,
  where: { workingDirectory: string; workspace: string },
): string | undefined {
  let path = resolve(where.workingDirectory, reported);
  const installed = /[\\/]site-packages[\\/](.+)$/.exec(path);
  if (installed) {
    const roots = [join(where.workingDirectory, 'src'), where.workingDirectory];
    const found = roots.map((root) => join(root, installed[1])).find((p) => existsSync(p));
    if (!found) return undefined;
    path = found;
  }
  const fromRoot = relative(where.workspace, path);
  if (fromRoot === '' || fromRoot.startsWith('..') || isAbsolute(fromRoot)) return undefined;
  return fromRoot.split(sep).join('/');
}

/** The report of a data file; undefined when pytest wrote none (it stopped before measuring). */
export async function reportCoverage(request: ReportRequest): Promise<CoverageOutcome | undefined> {
  // A configuration with `parallel = true` (or measured subprocesses) writes suffixed files.
  const dir = dirname(request.dataFile);
  const parallel = existsSync(dir)
    ? parallelFiles(basename(request.dataFile), readdirSync(dir)).map((name) => join(dir, name))
    : [];
  if (parallel.length > 0) {
    core.info(
      `coverage: combining ${parallel.length} parallel data file(s) into ${request.dataFile}.`,
    );
    await combineParallel(
      request.python,
      request.dataFile,
      parallel,
      request.workingDirectory,
      request.rcfile,
    );
  }
  if (!statSync(request.dataFile, { throwIfNoEntry: false })?.isFile()) {
    core.warning('coverage: pytest wrote no coverage data, so there is no coverage to report.');
    return undefined;
  }
  const jsonPath = join(request.scratchDir, `pyci-coverage-${randomUUID()}.json`);
  await writeReport(
    'json',
    request.python,
    request.dataFile,
    jsonPath,
    request.workingDirectory,
    request.rcfile,
  );

  const toRepoPath = (reported: string) => repoPathOf(reported, request);
  return outcomeOf(
    request,
    (want) => readCoverageJson(jsonPath, want),
    toRepoPath,
    request.dataFile,
  );
}

/** What an outcome needs besides the report: where, the event, the threshold. */
export type OutcomeRequest = Pick<
  ReportRequest,
  'workspace' | 'event' | 'threshold' | 'applyThreshold'
>;

/**
 * The outcome of a report `read` makes (keeping the lines of the reported paths `want` asks
 * for): a pull request's changed lines measured, the least covered shown at their repository
 * paths, the threshold applied. `toRepoPath` turns a reported path into a repository one.
 */
export async function outcomeOf(
  request: OutcomeRequest,
  read: (want: (reported: string) => boolean) => Promise<CoverageReport>,
  toRepoPath: (reported: string) => string | undefined,
  dataFile: string,
): Promise<CoverageOutcome> {
  let changedLines: ChangedLines | undefined;
  let changedUnavailable: string | undefined;
  if (PULL_REQUEST_EVENTS.has(request.event.name) && request.event.baseRef !== '') {
    const found = await changedLinesSince(request.workspace, request.event.baseRef);
    if ('changed' in found) changedLines = found.changed;
    else changedUnavailable = found.unavailable;
  }
  // Only a pull request's changed files keep their lines: no path lookups without them.
  const report = await read((reported) => {
    if (changedLines === undefined) return false;
    const path = toRepoPath(reported);
    return path !== undefined && changedLines.has(path);
  });
  const changed = changedLines
    ? changedCoverage(changedLines, report.lines, toRepoPath)
    : undefined;
  // Shown as the repository's paths (an installed project reports site-packages ones).
  for (const file of report.leastCovered) file.path = toRepoPath(file.path) ?? file.path;
  const outcome: CoverageOutcome = {
    report,
    ...(changed ? { changed } : {}),
    ...(changedUnavailable ? { changedUnavailable } : {}),
    ...(request.threshold !== undefined ? { threshold: request.threshold } : {}),
    dataFile,
  };
  if (request.applyThreshold) {
    const problem = thresholdProblem(report.percent, request.threshold);
    if (problem) outcome.problem = problem;
  } else if (request.threshold !== undefined) {
    outcome.thresholdNote =
      'coverage-threshold is applied once, to the shards combined (report-only mode with coverage-files), not to one shard.';
  }
  return outcome;
}

/** Where other runners' files are looked for: the checkout first (longest match), then where an installed project's files live in it. */
export function localRootsOf(where: { workspace: string; workingDirectory: string }): string[] {
  return [
    ...new Set([where.workspace, join(where.workingDirectory, 'src'), where.workingDirectory]),
  ];
}

/** Report-only mode: the shards' data files combined into one, their checkout roots mapped to ours. */
export async function combineShards(request: {
  python: string;
  files: string[];
  workspace: string;
  workingDirectory: string;
  scratchDir: string;
}): Promise<string> {
  const paths = await recordedPaths(request.python, request.files);
  const mappings = checkoutRoots(paths, localRootsOf(request), existsSync);
  const described = mappings.map((m) => `${m.remotes.join(', ')} -> ${m.local}`).join('; ');
  core.info(
    `coverage: combining ${request.files.length} data file(s); paths mapped: ${described || '(none needed)'}.`,
  );
  const rcfile = join(request.scratchDir, `pyci-coverage-paths-${randomUUID()}.rc`);
  writeFileSync(rcfile, pathsRc(mappings));
  const output = join(request.scratchDir, `pyci-coverage-combined-${randomUUID()}`);
  await combineData(request.python, request.files, rcfile, output, request.workingDirectory);
  return output;
}
