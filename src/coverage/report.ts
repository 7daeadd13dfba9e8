/**
 * What the action keeps of coverage.py's JSON report: the totals, the least covered files, and
 * line numbers only for the files a pull request changed. Built from the JSON's scalars as they
 * stream by (json-stream.ts), so memory stays bounded however big the project is.
 */
import type { JsonPath, JsonScalar } from './json-stream.js';
import { compareStrings } from '../runner/text.js';

export interface FileCoverage {
  /** The path as coverage.py reports it (relative to where it ran, or absolute). */
  path: string;
  statements: number;
  covered: number;
  percent: number;
}

export interface FileLines {
  executed: number[];
  missing: number[];
}

export interface CoverageReport {
  /** coverage.py's own total percentage (with branches when branch coverage is on). */
  percent: number;
  statements: number;
  covered: number;
  files: number;
  /** The least covered files, lowest first, at most `keepLeast`. */
  leastCovered: FileCoverage[];
  /** Executed and missing lines of the files asked for, by reported path. */
  lines: Map<string, FileLines>;
}

export const LEAST_COVERED = 10;

/** Lower coverage first; among equals, more missing statements first, then by path. */
function worse(a: FileCoverage, b: FileCoverage): number {
  return (
    a.percent - b.percent ||
    b.statements - b.covered - (a.statements - a.covered) ||
    compareStrings(a.path, b.path)
  );
}

/** Adds `file` to `least` (lowest first, at most `keep`) if it is among the least covered so far. */
export function addLeastCovered(least: FileCoverage[], file: FileCoverage, keep: number): void {
  // Files without statements have nothing to cover.
  if (file.statements === 0) return;
  if (least.length >= keep && worse(file, least[least.length - 1]) >= 0) return;
  least.push(file);
  least.sort(worse);
  if (least.length > keep) least.pop();
}

/**
 * Collects a report from (path, scalar) pairs. `wantLines(path)` says whose line numbers to keep;
 * everyone else's are dropped as they pass.
 */
export class CoverageReportBuilder {
  private readonly report: CoverageReport = {
    percent: NaN,
    statements: 0,
    covered: 0,
    files: 0,
    leastCovered: [],
    lines: new Map(),
  };
  private current?: FileCoverage;

  constructor(
    private readonly wantLines: (path: string) => boolean = () => false,
    private readonly keepLeast = LEAST_COVERED,
  ) {}

  readonly onScalar = (path: JsonPath, value: JsonScalar): void => {
    if (path[0] === 'totals' && path.length === 2 && typeof value === 'number') {
      if (path[1] === 'percent_covered') this.report.percent = value;
      if (path[1] === 'num_statements') this.report.statements = value;
      if (path[1] === 'covered_lines') this.report.covered = value;
      return;
    }
    if (path[0] !== 'files' || path.length < 3 || typeof value !== 'number') return;
    const file = path[1] as string;
    if (this.current?.path !== file) this.startFile(file);
    if (path[2] === 'summary' && path.length === 4) {
      if (path[3] === 'num_statements') this.current!.statements = value;
      if (path[3] === 'covered_lines') this.current!.covered = value;
      if (path[3] === 'percent_covered') this.current!.percent = value;
    } else if (path.length === 4 && (path[2] === 'executed_lines' || path[2] === 'missing_lines')) {
      const lines = this.report.lines.get(file);
      if (lines) (path[2] === 'executed_lines' ? lines.executed : lines.missing).push(value);
    }
  };

  private startFile(file: string): void {
    this.flushFile();
    this.current = { path: file, statements: 0, covered: 0, percent: 100 };
    this.report.files++;
    if (this.wantLines(file)) this.report.lines.set(file, { executed: [], missing: [] });
  }

  /** Keeps the finished file if it is among the least covered so far. */
  private flushFile(): void {
    const file = this.current;
    this.current = undefined;
    if (file) addLeastCovered(this.report.leastCovered, file, this.keepLeast);
  }

  finish(): CoverageReport {
    this.flushFile();
    return this.report;
  }
}
