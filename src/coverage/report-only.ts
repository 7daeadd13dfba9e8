/**
 * Report-only mode's coverage: the coverage-files told apart by their content (file-kind.ts).
 * Data files only: combined by coverage.py and read from its JSON, as before. With Cobertura
 * XML reports: the data files, if any, combined and written as one more XML report by
 * coverage.py, then every report merged line by line (a line is covered when any report covers
 * it: line-union.ts). With XML reports only, no Python is set up at all.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as core from '@actions/core';
import { InputError } from '../runner/errors.js';
import type { RunEvent } from '../runner/event.js';
import { readCobertura } from './cobertura.js';
import { coverageFileKind } from './file-kind.js';
import { LineUnion } from './line-union.js';
import { reportedFileResolver } from './paths.js';
import {
  combineShards,
  localRootsOf,
  outcomeOf,
  reportCoverage,
  type CoverageOutcome,
} from './stage.js';
import { writeReport } from './tool.js';

export async function reportOnlyCoverage(request: {
  files: string[];
  /** A Python with coverage.py: asked for only when there are data files. */
  coveragePython: () => Promise<string>;
  workspace: string;
  workingDirectory: string;
  scratchDir: string;
  event: RunEvent;
  threshold?: number;
}): Promise<CoverageOutcome | undefined> {
  const xml = request.files.filter((file) => coverageFileKind(file) === 'xml');
  const data = request.files.filter((file) => !xml.includes(file));
  let dataFile = '';
  let python: string | undefined;
  if (data.length > 0) {
    core.info(`coverage: combining ${data.length} coverage data file(s).`);
    python = await request.coveragePython();
    dataFile = await combineShards({ ...request, python, files: data });
  }
  if (xml.length === 0)
    return reportCoverage({ ...request, python: python!, dataFile, applyThreshold: true });
  if (python) {
    const combinedXml = join(request.scratchDir, `pyci-coverage-combined-${randomUUID()}.xml`);
    await writeReport('xml', python, dataFile, combinedXml, request.workingDirectory);
    xml.push(combinedXml);
  }
  core.info(`coverage: merging ${xml.length} Cobertura XML report(s).`);
  const resolveFile = reportedFileResolver({
    ...request,
    localRoots: localRootsOf(request),
    exists: existsSync,
  });
  return outcomeOf(
    { ...request, applyThreshold: true },
    async (want) => {
      const union = new LineUnion();
      await readCobertura(xml, union, resolveFile);
      const report = union.report(want);
      // coverage.py refuses this case ("No data to report"); a 100% of nothing must not pass.
      if (report.statements === 0)
        throw new InputError(
          `coverage-files: the Cobertura XML report(s) measure no lines (no <class> with <line>s): ${xml.join(', ')}. Check that the test jobs ran with coverage and uploaded their reports.`,
        );
      return report;
    },
    // The reader already names files by their repository paths; the others are not in it.
    (path) =>
      path.startsWith('../') || isAbsolute(path) || /^[A-Za-z]:/.test(path) ? undefined : path,
    dataFile,
  );
}
