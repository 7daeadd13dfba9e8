import { JsonStream } from '../../src/coverage/json-stream.js';
import { CoverageReportBuilder } from '../../src/coverage/report.js';

/** A report shaped as coverage.py 7 writes it (with functions/classes sections). */
function coverageJson(files: Record<string, { executed: number[]; missing: number[] }>) {
  const entries = Object.entries(files);
  const covered = entries.reduce((n, [, f]) => n + f.executed.length, 0);
  const statements = entries.reduce((n, [, f]) => n + f.executed.length + f.missing.length, 0);
  const summary = (e: number, s: number) => ({
    covered_lines: e,
    num_statements: s,
    percent_covered: s === 0 ? 100 : (e / s) * 100,
    percent_covered_display: '0',
    missing_lines: s - e,
    excluded_lines: 0,
  });
  return JSON.stringify({
    meta: { format: 3, version: '7.16.2' },
    files: Object.fromEntries(
      entries.map(([path, f]) => [
        path,
        {
          executed_lines: f.executed,
          summary: summary(f.executed.length, f.executed.length + f.missing.length),
          missing_lines: f.missing,
          excluded_lines: [],
          functions: { f: { executed_lines: [99], summary: summary(1, 1), missing_lines: [] } },
        },
      ]),
    ),
    totals: summary(covered, statements),
  });
}

function read(text: string, want: (path: string) => boolean = () => false, keep = 10) {
  const builder = new CoverageReportBuilder(want, keep);
  const stream = new JsonStream(builder.onScalar);
  stream.write(text);
  stream.end();
  return builder.finish();
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('CoverageReportBuilder', () => {
  it('keeps the totals and only the least covered files, lowest first', () => {
    const files: Record<string, { executed: number[]; missing: number[] }> = {};
    for (let i = 0; i < 30; i++)
      files[`pkg/m${i}.py`] = { executed: range(1, i), missing: range(i + 1, 30) };
    files['pkg/empty.py'] = { executed: [], missing: [] };
    const report = read(coverageJson(files), () => false, 5);
    expect(report.files).toBe(31);
    expect(report.statements).toBe(30 * 30);
    expect(report.covered).toBe(range(0, 29).reduce((a, b) => a + b, 0));
    expect(report.percent).toBeCloseTo((report.covered / report.statements) * 100);
    expect(report.leastCovered.map((f) => f.path)).toEqual([
      'pkg/m0.py',
      'pkg/m1.py',
      'pkg/m2.py',
      'pkg/m3.py',
      'pkg/m4.py',
    ]);
    expect(report.lines.size).toBe(0);
  });

  it('keeps line numbers only for the files asked for, not those of functions', () => {
    const report = read(
      coverageJson({
        'a.py': { executed: [1, 2], missing: [5] },
        'b.py': { executed: [1], missing: [2] },
      }),
      (path) => path === 'a.py',
    );
    expect([...report.lines.keys()]).toEqual(['a.py']);
    expect(report.lines.get('a.py')).toEqual({ executed: [1, 2], missing: [5] });
  });
});
