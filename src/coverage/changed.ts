/**
 * Coverage of the lines a pull request changed: of the added lines that are statements, how many
 * ran, and the uncovered ones grouped into ranges for annotations. Pure.
 */
import type { ChangedLines } from './diff.js';
import type { FileLines } from './report.js';
import { compareStrings } from '../runner/text.js';

export interface LineRange {
  /** Repository-relative path, `/`-separated. */
  file: string;
  start: number;
  end: number;
}

export interface ChangedCoverage {
  /** Changed lines that are statements. */
  statements: number;
  covered: number;
  /** Undefined when no changed line is a measured statement. */
  percent?: number;
  /** Uncovered changed lines, consecutive ones together, by file then line. */
  uncovered: LineRange[];
}

/**
 * `lines` is keyed by coverage.py's path; `toRepoPath` turns it into the diff's path (undefined
 * for files outside the repository).
 */
export function changedCoverage(
  changed: ChangedLines,
  lines: Map<string, FileLines>,
  toRepoPath: (reported: string) => string | undefined,
): ChangedCoverage {
  let statements = 0;
  let covered = 0;
  const uncovered: LineRange[] = [];
  const files = [...lines.entries()]
    .map(([reported, fileLines]) => ({ file: toRepoPath(reported), fileLines }))
    .filter((entry): entry is { file: string; fileLines: FileLines } => entry.file !== undefined)
    .sort((a, b) => compareStrings(a.file, b.file));
  for (const { file, fileLines } of files) {
    const added = changed.get(file);
    if (!added) continue;
    const ran = fileLines.executed.filter((line) => added.has(line)).length;
    statements += ran;
    covered += ran;
    const missing = fileLines.missing.filter((line) => added.has(line)).sort((a, b) => a - b);
    statements += missing.length;
    for (const line of missing) {
      const last = uncovered[uncovered.length - 1];
      if (last && last.file === file && last.end + 1 === line) last.end = line;
      else uncovered.push({ file, start: line, end: line });
    }
  }
  return {
    statements,
    covered,
    ...(statements > 0 ? { percent: (covered / statements) * 100 } : {}),
    uncovered,
  };
}
