/** Hands a test result to the runner: step outputs, the job summary, annotations. */
import * as core from '@actions/core';
import { writeJobSummary } from '../runner/job-summary.js';
import type { CoverageOutcome } from '../coverage/stage.js';
import type { TestResult } from '../pytest/result.js';
import { buildAnnotations, emitAnnotations, MAX_ERROR_ANNOTATIONS } from './annotations.js';
import { emitCoverageAnnotations, renderCoverageSection } from './coverage-section.js';
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
  /** The step will also fail with its own ::error line, which counts toward GitHub's limit. */
  stepWillFail: boolean;
  /** Coverage, when measured: its section goes before the extra lines. */
  coverage?: CoverageOutcome;
}

export async function publishReport(request: ReportRequest): Promise<void> {
  const { result, junitPaths } = request;
  for (const [name, value] of Object.entries(testOutputs(result, junitPaths.join('\n'))))
    core.setOutput(name, value);
  const coverageLines = request.coverage ? [renderCoverageSection(request.coverage)] : [];
  const summary = renderSummary(result, {
    junitPaths,
    extraLines: [...coverageLines, ...request.extraLines],
  });
  await writeJobSummary(summary);
  const limit = request.stepWillFail ? MAX_ERROR_ANNOTATIONS - 1 : MAX_ERROR_ANNOTATIONS;
  emitAnnotations(
    buildAnnotations(
      result,
      {
        repoRoot: request.repoRoot,
        workingDirectory: request.workingDirectory,
        pytestRootdir: request.pytestRootdir,
      },
      limit,
    ),
  );
  if (request.coverage) emitCoverageAnnotations(request.coverage);
}
