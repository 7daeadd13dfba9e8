/**
 * Line coverage of several reports merged: per file, the union of their statements, a line
 * covered when any report covers it. Kept as sorted typed arrays (8 bytes a distinct statement),
 * so memory follows the project's size, not the reports' size nor their number. Pure.
 */
import { addLeastCovered, LEAST_COVERED, type CoverageReport, type FileLines } from './report.js';
import { compareStrings } from '../runner/text.js';

/** Bit 0: covered. Bits 1-15: branches taken. Bits 16-31: branches (exits) of the line. */
const COVERED = 1;
const BRANCH_MAX = 0x7fff;
const packBranches = (taken: number, total: number) =>
  (Math.min(taken, BRANCH_MAX) << 1) | (Math.min(total, 0xffff) << 16);
const taken = (info: number) => (info >>> 1) & BRANCH_MAX;
const exits = (info: number) => info >>> 16;

/** Pending additions are folded into the sorted arrays past this many. */
const PENDING_MAX = 8192;

class FileLineSet {
  lines = new Uint32Array(0);
  info = new Uint32Array(0);
  private pending: number[] = [];

  add(line: number, info: number): void {
    this.pending.push(line, info);
    if (this.pending.length >= PENDING_MAX * 2) this.flush();
  }

  /** Folds the pending lines in: covered if any says so; branches: the most any report took. */
  flush(): void {
    if (this.pending.length === 0) return;
    const pairs: [number, number][] = [];
    for (let i = 0; i < this.pending.length; i += 2)
      pairs.push([this.pending[i], this.pending[i + 1]]);
    this.pending = [];
    pairs.sort((a, b) => a[0] - b[0]);
    const lines: number[] = [];
    const info: number[] = [];
    let j = 0;
    const push = (line: number, value: number) => {
      const last = lines.length - 1;
      if (last >= 0 && lines[last] === line) info[last] = merge(info[last], value);
      else {
        lines.push(line);
        info.push(value);
      }
    };
    for (let i = 0; i < this.lines.length; i++) {
      while (j < pairs.length && pairs[j][0] < this.lines[i]) push(pairs[j][0], pairs[j++][1]);
      push(this.lines[i], this.info[i]);
    }
    while (j < pairs.length) push(pairs[j][0], pairs[j++][1]);
    this.lines = Uint32Array.from(lines);
    this.info = Uint32Array.from(info);
  }
}

function merge(a: number, b: number): number {
  return (
    ((a | b) & COVERED) | packBranches(Math.max(taken(a), taken(b)), Math.max(exits(a), exits(b)))
  );
}

export class LineUnion {
  private readonly files = new Map<string, FileLineSet>();

  /** A file with no statements still counts as a file of the report. */
  file(path: string): void {
    if (!this.files.has(path)) this.files.set(path, new FileLineSet());
  }

  line(path: string, line: number, covered: boolean, branches?: { taken: number; total: number }) {
    let set = this.files.get(path);
    if (!set) this.files.set(path, (set = new FileLineSet()));
    set.add(
      line,
      (covered ? COVERED : 0) | (branches ? packBranches(branches.taken, branches.total) : 0),
    );
  }

  /** Folds what is pending (e.g. at the end of a class): keeps memory at the distinct lines. */
  settle(path: string): void {
    this.files.get(path)?.flush();
  }

  /**
   * The report: totals as coverage.py counts them (branches, when any, in the percentage), the
   * least covered files, and line numbers of the files `wantLines` asks for.
   */
  report(
    wantLines: (path: string) => boolean = () => false,
    keepLeast = LEAST_COVERED,
  ): CoverageReport {
    const report: CoverageReport = {
      percent: 100,
      statements: 0,
      covered: 0,
      files: this.files.size,
      leastCovered: [],
      lines: new Map(),
    };
    let branches = 0;
    let branchesTaken = 0;
    for (const [path, set] of [...this.files.entries()].sort((a, b) =>
      compareStrings(a[0], b[0]),
    )) {
      set.flush();
      const want: FileLines | undefined = wantLines(path)
        ? { executed: [], missing: [] }
        : undefined;
      let covered = 0;
      let fileBranches = 0;
      let fileTaken = 0;
      for (let i = 0; i < set.lines.length; i++) {
        const info = set.info[i];
        if (info & COVERED) covered++;
        fileBranches += exits(info);
        fileTaken += Math.min(taken(info), exits(info));
        if (want) (info & COVERED ? want.executed : want.missing).push(set.lines[i]);
      }
      if (want) report.lines.set(path, want);
      const statements = set.lines.length;
      report.statements += statements;
      report.covered += covered;
      branches += fileBranches;
      branchesTaken += fileTaken;
      addLeastCovered(
        report.leastCovered,
        {
          path,
          statements,
          covered,
          percent: percentOf(covered + fileTaken, statements + fileBranches),
        },
        keepLeast,
      );
    }
    report.percent = percentOf(report.covered + branchesTaken, report.statements + branches);
    return report;
  }
}

/** coverage.py's percentage: 100 when there is nothing to cover. */
function percentOf(done: number, total: number): number {
  return total === 0 ? 100 : (done / total) * 100;
}
