/** Reads coverage.py's JSON report from disk as a stream (see report.ts for what is kept). */
import { createReadStream } from 'node:fs';
import { InputError } from '../runner/errors.js';
import { JsonStream, JsonStreamError } from './json-stream.js';
import { CoverageReportBuilder, type CoverageReport } from './report.js';

export async function readCoverageJson(
  path: string,
  wantLines: (file: string) => boolean = () => false,
): Promise<CoverageReport> {
  const builder = new CoverageReportBuilder(wantLines);
  const parser = new JsonStream(builder.onScalar);
  try {
    for await (const chunk of createReadStream(path, {
      encoding: 'utf8',
      highWaterMark: 256 * 1024,
    }))
      parser.write(chunk as string);
    parser.end();
  } catch (error) {
    if (error instanceof JsonStreamError)
      throw new InputError(
        `coverage: the JSON report ${path} is not valid JSON (${error.message}).`,
      );
    throw error;
  }
  const report = builder.finish();
  if (Number.isNaN(report.percent))
    throw new InputError(`coverage: the JSON report ${path} has no totals.percent_covered.`);
  return report;
}
