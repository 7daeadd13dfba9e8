/** Hands a test result to the runner: step outputs, the job summary, annotations. */
import { basename, dirname, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import { writeJobSummary } from '../runner/job-summary.js';
import type { CoverageOutcome } from '../coverage/stage.js';
import type { TestResult } from '../pytest/result.js';
import { buildAnnotations, emitAnnotations, MAX_ERROR_ANNOTATIONS } from './annotations.js';
import { emitCoverageAnnotations, renderCoverageSection } from './coverage-section.js';
import { failureLinker, type CommitRef } from './links.js';
import { testOutputs } from './outputs.js';
import { renderSummary } from './summary.js';

export interface ReportRequest {
  result: TestResult;
  junitPaths: string[];
  repoRoot: string;
  workingDirectory: string;
  /** pytest's rootdir, which JUnit paths are relative to; default the working directory. */
  pytestRootdir?: string;
  /** Lines appended to the summary, e.g. the deploy decision. */
  extraLines: string[];
  /** Sections placed after the failures, e.g. flaky tests. */
  sections?: string[];
  /** The step will also fail with its own ::error line, which counts toward GitHub's limit. */
  stepWillFail: boolean;
  /** Coverage, when measured: its section goes before the extra lines. */
  coverage?: CoverageOutcome;
  /** Annotate failures at file:line (the `annotations` input). */
  annotate: boolean;
  /** Where failures link to (their line at the commit). */
  commit: Partial<CommitRef>;
  /** RUNNER_TEMP: a report of ours kept there is not worth naming in the summary. */
  runnerTemp: string;
}

export async function publishReport(request: ReportRequest): Promise<void> {
  const { result, junitPaths } = request;
  for (const [name, value] of Object.entries(testOutputs(result, junitPaths.join('\n'))))
    core.setOutput(name, value);
  const paths = {
    repoRoot: request.repoRoot,
    workingDirectory: request.workingDirectory,
    pytestRootdir: request.pytestRootdir,
  };
  const coverageLines = request.coverage ? [renderCoverageSection(request.coverage)] : [];
  const summary = renderSummary(result, {
    junitPaths: junitPaths.filter((path) => !isWithin(path, request.runnerTemp)),
    extraLines: [...coverageLines, ...request.extraLines],
    sections: request.sections,
    linkFor: failureLinker(request.commit, paths),
  });
  await writeJobSummary(summary);
  if (!request.annotate) return;
  const limit = request.stepWillFail ? MAX_ERROR_ANNOTATIONS - 1 : MAX_ERROR_ANNOTATIONS;
  emitAnnotations(buildAnnotations(result, paths, limit, sourceLabeler(junitPaths)));
  if (request.coverage) emitCoverageAnnotations(request.coverage);
}

/**
 * With several JUnit files (a matrix, shards), what names the one a failure came from: the
 * folder it was downloaded to when the files sit in folders of their own (the reusable
 * workflow's `junit-ubuntu-latest-py3.12-shard1/`, shown without `junit-`), else its name.
 */
function sourceLabeler(junitPaths: string[]): ((source: string) => string) | undefined {
  if (junitPaths.length < 2) return undefined;
  const folders = new Set(junitPaths.map((path) => dirname(resolve(path))));
  const byFolder = folders.size === junitPaths.length;
  return (source) =>
    byFolder ? basename(dirname(resolve(source))).replace(/^junit-/, '') : basename(source);
}

function isWithin(path: string, dir: string): boolean {
  if (dir === '') return false;
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}
