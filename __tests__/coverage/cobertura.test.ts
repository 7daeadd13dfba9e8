/**
 * The Cobertura reader: a coverage.xml written by the machine's coverage.py read and compared
 * with coverage.py's own JSON of the same data (JSON.parse), lines and branches; any chunking
 * reads the same; classes and reports merged by line; files that are not Cobertura refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoberturaError, readCobertura, type ResolveFile } from '../../src/coverage/cobertura.js';
import { coverageFileKind, kindOfHead } from '../../src/coverage/file-kind.js';
import { LineUnion } from '../../src/coverage/line-union.js';
import { reportedFileResolver } from '../../src/coverage/paths.js';
import type { CoverageReport } from '../../src/coverage/report.js';
import { InputError } from '../../src/runner/errors.js';
import { coverageVenv } from '../support/venv-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-cobertura-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(scratch, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Keeps the filename as it is given (relative to the first source, if any). */
const asGiven: ResolveFile = (filename) => filename;

async function read(
  paths: string[],
  options: { want?: (path: string) => boolean; chunk?: number; resolve?: ResolveFile } = {},
): Promise<CoverageReport> {
  const union = new LineUnion();
  await readCobertura(paths, union, options.resolve ?? asGiven, options.chunk);
  return union.report(options.want ?? (() => true), 1000);
}

interface OwnJson {
  totals: { percent_covered: number; num_statements: number; covered_lines: number };
  files: Record<
    string,
    {
      executed_lines: number[];
      missing_lines: number[];
      summary: { percent_covered: number; num_statements: number; covered_lines: number };
    }
  >;
}

describe('a coverage.xml written by coverage.py', () => {
  const python = join(scratch, 'venv/bin/python');
  const project = join(scratch, 'project');
  beforeAll(() => {
    coverageVenv(join(scratch, 'venv'));
    const module = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `def f${i}(x):\n    if x > ${i}:\n        return x\n    return -x\n`,
      ).join('\n');
    mkdirSync(join(project, 'pkg/sub'), { recursive: true });
    writeFileSync(join(project, 'pkg/__init__.py'), '');
    writeFileSync(join(project, 'pkg/sub/__init__.py'), 'VALUE = 1\n');
    writeFileSync(join(project, 'pkg/a.py'), module(6));
    writeFileSync(join(project, 'pkg/sub/b.py'), module(3));
    writeFileSync(join(project, 'pkg/never.py'), module(2));
    writeFileSync(
      join(project, 'main.py'),
      'import pkg.a, pkg.sub.b\nfor v in (0, 3, 9):\n    pkg.a.f2(v)\npkg.sub.b.f1(5)\n',
    );
  }, 180_000);

  /** coverage.py's XML and JSON of one run, with `branch` on or off. */
  function measure(branch: boolean): { xml: string; own: OwnJson } {
    const tag = branch ? 'branch' : 'lines';
    const data = join(scratch, `.coverage.${tag}`);
    const run = ['-m', 'coverage', 'run', `--data-file=${data}`, '--source=pkg'];
    execFileSync(python, [...run, ...(branch ? ['--branch'] : []), 'main.py'], { cwd: project });
    const xml = join(scratch, `${tag}.xml`);
    const json = join(scratch, `${tag}.json`);
    execFileSync(python, ['-m', 'coverage', 'xml', `--data-file=${data}`, '-o', xml], {
      cwd: project,
      stdio: 'pipe',
    });
    execFileSync(python, ['-m', 'coverage', 'json', `--data-file=${data}`, '-o', json], {
      cwd: project,
      stdio: 'pipe',
    });
    return { xml, own: JSON.parse(readFileSync(json, 'utf8')) as OwnJson };
  }

  it.each([false, true])(
    'agrees with its own JSON report of the same data (branch: %s)',
    async (branch) => {
      const { xml, own } = measure(branch);
      const resolve = reportedFileResolver({
        workspace: project,
        workingDirectory: project,
        localRoots: [project],
        exists: existsSync,
      });
      const report = await read([xml], { resolve });
      expect(report.statements).toBe(own.totals.num_statements);
      expect(report.covered).toBe(own.totals.covered_lines);
      expect(report.percent).toBeCloseTo(own.totals.percent_covered, 9);
      expect(report.files).toBe(Object.keys(own.files).length);
      // Every file with statements, at the paths of the JSON (relative to the project).
      const withStatements = Object.entries(own.files).filter(
        ([, f]) => f.summary.num_statements > 0,
      );
      expect(
        Object.fromEntries(
          report.leastCovered.map((f) => [f.path, [f.statements, f.covered, f.percent]]),
        ),
      ).toEqual(
        Object.fromEntries(
          withStatements.map(([path, f]) => [
            path,
            [
              f.summary.num_statements,
              f.summary.covered_lines,
              expect.closeTo(f.summary.percent_covered, 9),
            ],
          ]),
        ),
      );
      for (const [path, f] of Object.entries(own.files))
        expect(report.lines.get(path)).toEqual({
          executed: f.executed_lines,
          missing: f.missing_lines,
        });
      // With branch on, the total is not the lines' ratio: branches were read as well.
      const linesOnly = (100 * own.totals.covered_lines) / own.totals.num_statements;
      expect(Math.abs(own.totals.percent_covered - linesOnly) > 1e-6).toBe(branch);
    },
    60_000,
  );

  it('reads the same in chunks of 1 to 64 bytes', async () => {
    const { xml } = measure(true);
    const whole = await read([xml]);
    for (const chunk of [1, 2, 3, 5, 8, 13, 31, 64])
      expect(await read([xml], { chunk })).toEqual(whole);
  }, 60_000);
});

const cobertura = (body: string, sources = '<sources><source>/src</source></sources>') =>
  `<?xml version="1.0" ?>\n<coverage line-rate="0.5" version="1">${sources}<packages><package name="p"><classes>${body}</classes></package></packages></coverage>\n`;
const klass = (filename: string, lines: string) =>
  `<class name="${filename}" filename="${filename}"><methods/><lines>${lines}</lines></class>`;

describe('merging', () => {
  it('merges classes that share a filename, and ignores method lines', async () => {
    const path = file(
      'classes.xml',
      cobertura(
        klass('a.py', '<line number="1" hits="1"/><line number="2" hits="0"/>') +
          klass('b.py', '<line number="1" hits="0"/>') +
          `<class name="Inner" filename="a.py"><methods><method name="m"><lines><line number="9" hits="1"/></lines></method></methods><lines><line number="2" hits="3"/><line number="3" hits="0"/></lines></class>`,
      ),
    );
    const report = await read([path]);
    expect(report.files).toBe(2);
    expect(report.lines.get('a.py')).toEqual({ executed: [1, 2], missing: [3] });
    expect(report.lines.get('b.py')).toEqual({ executed: [], missing: [1] });
    expect([report.statements, report.covered]).toEqual([4, 2]);
  });

  it('unites shards: a line is covered when any report covers it; statements are the union', async () => {
    const one = file(
      'shard1.xml',
      cobertura(klass('a.py', '<line number="1" hits="1"/><line number="2" hits="0"/>')),
    );
    const two = file(
      'shard2.xml',
      cobertura(
        klass('a.py', '<line number="2" hits="5"/><line number="4" hits="0"/>') +
          klass('c.py', '<line number="7" hits="0" branch="true" condition-coverage="0% (0/2)"/>'),
      ),
    );
    const report = await read([one, two]);
    expect(report.lines.get('a.py')).toEqual({ executed: [1, 2], missing: [4] });
    expect([report.statements, report.covered]).toEqual([4, 2]);
    // Branches count as coverage.py counts them: (lines + branches taken) / (lines + branches).
    expect(report.percent).toBeCloseTo((2 / 6) * 100, 9);
    expect(report.leastCovered.map((f) => f.path)).toEqual(['c.py', 'a.py']);
  });

  it('keeps line numbers only for the files asked for', async () => {
    const path = file(
      'want.xml',
      cobertura(
        klass('a.py', '<line number="1" hits="1"/>') + klass('b.py', '<line number="1" hits="1"/>'),
      ),
    );
    const report = await read([path], { want: (p) => p === 'b.py' });
    expect([...report.lines.keys()]).toEqual(['b.py']);
  });
});

describe('paths', () => {
  it("maps another runner's source folder and site-packages to the checkout", () => {
    const local = new Set([
      '/w/repo/src/calc/a.py',
      '/w/repo/tools/t.py',
      // The venv in the checkout holds an installed copy: the checkout's file is the one meant.
      '/w/repo/.venv/lib/python3.11/site-packages/calc/a.py',
    ]);
    const resolve = reportedFileResolver({
      workspace: '/w/repo',
      workingDirectory: '/w/repo',
      localRoots: ['/w/repo', '/w/repo/src'],
      exists: (p) => local.has(p),
    });
    expect(resolve('calc/a.py', ['/home/runner/work/repo/repo/src'])).toBe('src/calc/a.py');
    expect(resolve('calc/a.py', ['/opt/venv/lib/python3.11/site-packages'])).toBe('src/calc/a.py');
    expect(resolve('calc/a.py', ['/w/repo/.venv/lib/python3.11/site-packages'])).toBe(
      'src/calc/a.py',
    );
    expect(resolve('tools/t.py', ['D:\\a\\repo\\repo'])).toBe('tools/t.py');
    expect(resolve('tools/t.py', [])).toBe('tools/t.py');
    // Not in this checkout: kept as reported, so it still counts.
    expect(resolve('gone.py', ['/elsewhere'])).toBe('/elsewhere/gone.py');
  });
});

describe('files that are not Cobertura reports', () => {
  it('tells data files from XML by their first bytes, and refuses anything else', () => {
    expect(kindOfHead(Buffer.from('SQLite format 3\0\x10\x00'))).toBe('data');
    expect(kindOfHead(Buffer.from('\uFEFF\n<?xml version="1.0"?><coverage/>'))).toBe('xml');
    expect(kindOfHead(Buffer.from('<coverage line-rate="1">'))).toBe('xml');
    expect(kindOfHead(Buffer.from('<!DOCTYPE html><html>'))).toBeUndefined();
    const garbage = file('garbage.bin', '\x00\x01not coverage at all');
    expect(() => coverageFileKind(garbage)).toThrow(InputError);
    expect(() => coverageFileKind(garbage)).toThrow(
      /^coverage-files: \S+garbage\.bin is neither a coverage\.py data file nor a Cobertura XML report/,
    );
  });

  it.each([
    [
      'html.xml',
      '<?xml version="1.0"?><html><body/></html>',
      /the root element is <html>, not <coverage>/,
    ],
    [
      'truncated.xml',
      cobertura(klass('a.py', '<line number="1" hits="1"/>')).slice(0, 150),
      /the XML ends before it is complete: unclosed tag/,
    ],
    ['empty.xml', '  \n', /the file is empty/],
    [
      'nofile.xml',
      cobertura('<class name="x"><lines/></class>'),
      /a <class> has no filename attribute/,
    ],
    [
      'badline.xml',
      cobertura(klass('a.py', '<line number="x" hits="1"/>')),
      /a <line> has number="x"/,
    ],
  ])('refuses %s with one clear error naming it', async (name, text, reason) => {
    const path = file(name, text);
    const error = await read([path]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoberturaError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^coverage-files: cannot read the Cobertura XML report ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `,
      ),
    );
    expect((error as Error).message).toMatch(reason);
  });

  it('does not expand entities a report declares ("billion laughs")', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++)
      entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const path = file(
      'laughs.xml',
      `<?xml version="1.0"?>\n<!DOCTYPE coverage [\n${entities.join('\n')}\n]>\n<coverage><sources><source>&lol9;</source></sources></coverage>\n`,
    );
    const before = process.memoryUsage().rss;
    const error = await read([path]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoberturaError);
    expect((error as Error).message).toMatch(/undefined entity/i);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});
