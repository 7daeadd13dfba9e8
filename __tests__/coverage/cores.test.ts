import { changedCoverage } from '../../src/coverage/changed.js';
import { parseUnifiedDiff } from '../../src/coverage/diff.js';
import { checkoutRoots, localFileOf, pathsRc } from '../../src/coverage/paths.js';
import {
  formatPercent,
  parseCoverageInput,
  parseThreshold,
  thresholdProblem,
} from '../../src/coverage/settings.js';
import { decide } from '../../src/gate/decide.js';
import { InputError } from '../../src/runner/errors.js';
import { pullRequest, pushTo, rules } from '../support/gate-events.js';

describe('coverage inputs', () => {
  it('reads coverage as off, own packages, or a list of sources', () => {
    expect(parseCoverageInput([])).toEqual({ enabled: false, sources: [] });
    expect(parseCoverageInput(['false'])).toEqual({ enabled: false, sources: [] });
    expect(parseCoverageInput(['true'])).toEqual({ enabled: true, sources: [] });
    expect(parseCoverageInput(['src/a', 'b'])).toEqual({ enabled: true, sources: ['src/a', 'b'] });
    expect(() => parseCoverageInput(['src/a', 'true'])).toThrow(
      /^coverage: "true" is not a source/,
    );
    expect(() => parseCoverageInput(['--cov-fail-under=3'])).toThrow(InputError);
  });

  it.each([
    ['', undefined],
    ['80', 80],
    ['87.5', 87.5],
    ['90%', 90],
    ['0', 0],
    ['100', 100],
  ])('threshold %j is %j', (raw, value) => {
    expect(parseThreshold(raw)).toBe(value);
  });

  it.each(['101', '-1', 'eighty', '80 %', '1e2', '.5.5'])('refuses threshold %j', (raw) => {
    expect(() => parseThreshold(raw)).toThrow(
      /^coverage-threshold ".*" is not a percentage from 0 to 100/,
    );
  });

  it('never shows a total below the threshold as reaching it', () => {
    expect(formatPercent(79.96)).toBe('79.9');
    expect(formatPercent(71.25)).toBe('71.2');
    expect(formatPercent(100)).toBe('100.0');
    expect(thresholdProblem(79.96, 80)).toBe('coverage 79.9% is below 80%');
    expect(thresholdProblem(80, 80)).toBeUndefined();
    expect(thresholdProblem(10, undefined)).toBeUndefined();
  });
});

describe('the gate with a coverage problem', () => {
  it('refuses a deploy it would make otherwise, after the tests themselves', () => {
    const problem = 'coverage 71.2% is below 80%';
    expect(decide(pushTo('main'), 'success', rules(), problem)).toEqual({
      deploy: false,
      environment: '',
      reason: 'not deploying: coverage 71.2% is below 80%',
    });
    expect(decide(pushTo('main'), 'failure', rules(), problem).reason).toBe(
      'not deploying: tests failed',
    );
    // The trigger's own refusals come first, as for failed tests.
    expect(decide(pullRequest('x'), 'success', rules(), problem).reason).toMatch(
      /event pull_request/,
    );
    expect(decide(pushTo('main'), 'success', rules()).deploy).toBe(true);
  });
});

describe('changed lines', () => {
  const diff = [
    'diff --git a/src/a.py b/src/a.py',
    '--- a/src/a.py',
    '+++ b/src/a.py',
    '@@ -3,0 +4,3 @@ def f():',
    '+x',
    '+y',
    '+z',
    '@@ -10 +13 @@',
    '+w',
    '@@ -20,2 +22,0 @@',
    'diff --git a/gone.py b/gone.py',
    '--- a/gone.py',
    '+++ /dev/null',
    '@@ -1,2 +0,0 @@',
    'diff --git "a/sp ace\\303\\251.py" "b/sp ace\\303\\251.py"',
    '+++ "b/sp ace\\303\\251.py"',
    '@@ -0,0 +1 @@',
  ].join('\n');

  it('parses the added lines of each new-side file', () => {
    const changed = parseUnifiedDiff(diff);
    expect([...changed.keys()]).toEqual(['src/a.py', 'sp aceé.py']);
    expect([...changed.get('src/a.py')!]).toEqual([4, 5, 6, 13]);
  });

  it('counts changed statements and groups adjacent uncovered ones', () => {
    const changed = parseUnifiedDiff(diff);
    const lines = new Map([
      ['a.py', { executed: [1, 4], missing: [5, 6, 13, 30] }],
      ['/elsewhere/x.py', { executed: [1], missing: [] }],
    ]);
    const result = changedCoverage(changed, lines, (p) =>
      p.startsWith('/') ? undefined : `src/${p}`,
    );
    expect(result).toEqual({
      statements: 4,
      covered: 1,
      percent: 25,
      uncovered: [
        { file: 'src/a.py', start: 5, end: 6 },
        { file: 'src/a.py', start: 13, end: 13 },
      ],
    });
    expect(changedCoverage(changed, new Map(), () => undefined).percent).toBeUndefined();
  });
});

describe('path remapping for combine', () => {
  const local = new Set([
    '/ws/src/calc/__init__.py',
    '/ws/src/calc/shapes.py',
    '/ws/tests/test_a.py',
  ]);
  const exists = (path: string) => local.has(path);
  const roots = ['/ws', '/ws/src'];

  it('finds the root each recorded path stands for, on other runners and in site-packages', () => {
    expect(localFileOf('/home/runner/work/r/r/src/calc/shapes.py', roots, exists)).toEqual({
      local: '/ws/',
      remote: '/home/runner/work/r/r/',
      path: '/ws/src/calc/shapes.py',
    });
    expect(localFileOf('D:\\a\\r\\r\\src\\calc\\shapes.py', roots, exists)?.remote).toBe(
      'D:\\a\\r\\r\\',
    );
    expect(
      localFileOf(
        '/home/runner/work/r/r/.venv/lib/python3.11/site-packages/calc/__init__.py',
        roots,
        exists,
      ),
    ).toMatchObject({
      local: '/ws/src/',
      remote: '/home/runner/work/r/r/.venv/lib/python3.11/site-packages/',
    });
    expect(localFileOf('/usr/lib/python3.11/os.py', roots, exists)).toBeUndefined();
    expect(localFileOf('src/calc/shapes.py', roots, exists)).toBeUndefined();
  });

  it('writes one [paths] entry per local root with its recorded roots', () => {
    const mappings = checkoutRoots(
      [
        '/home/runner/work/r/r/src/calc/shapes.py',
        '/home/runner/work/r/r/tests/test_a.py',
        '/Users/runner/work/r/r/src/calc/__init__.py',
        '/ws/src/calc/shapes.py',
        '/opt/venv/lib/python3.11/site-packages/calc/shapes.py',
      ],
      roots,
      exists,
    );
    expect(mappings).toEqual([
      { local: '/ws/', remotes: ['/Users/runner/work/r/r/', '/home/runner/work/r/r/'] },
      { local: '/ws/src/', remotes: ['/opt/venv/lib/python3.11/site-packages/'] },
    ]);
    expect(pathsRc(mappings)).toBe(
      [
        '[paths]',
        'source0 =',
        '    /ws/',
        '    /Users/runner/work/r/r/',
        '    /home/runner/work/r/r/',
        'source1 =',
        '    /ws/src/',
        '    /opt/venv/lib/python3.11/site-packages/',
        '',
      ].join('\n'),
    );
  });
});
