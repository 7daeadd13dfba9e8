/** The results entry's pure parts: building, validating, splitting, keys, and which runs save or read. */
import type { TestFailure, TestResult } from '../../src/pytest/result.js';
import {
  buildResultsEntry,
  MAX_FAILING,
  parseResultsEntry,
  splitFailures,
  type ResultsEntry,
} from '../../src/report/baseline/entry.js';
import { resultsKey, resultsKeyPrefix } from '../../src/report/baseline/key.js';
import { comparisonLine } from '../../src/report/baseline/line.js';
import { comparesWithBase, recordDecision } from '../../src/report/baseline/when.js';
import { renderComment } from '../../src/report/comment/body.js';
import { buildRunEvent } from '../../src/runner/event.js';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function failure(id: string, kind: TestFailure['kind'] = 'failure'): TestFailure {
  return { id, kind, message: `${id} failed`, details: '' };
}

function result(failures: TestFailure[], omitted = 0): TestResult {
  return {
    tests: 10,
    passed: 10 - failures.length - omitted,
    failed: failures.length + omitted,
    errors: 0,
    skipped: 0,
    durationSeconds: 1,
    failures,
    failuresOmitted: omitted,
    slowest: [],
  };
}

/** A reader's result for many failing tests: every id listed, the first 50 kept in detail. */
function manyFailing(count: number, omitted = 0): { ids: string[]; run: TestResult } {
  const ids = Array.from({ length: count }, (_, i) => `t.py::t${i}`);
  const kept = ids.slice(0, 50).map((id) => failure(id));
  return { ids, run: { ...result(kept, count - 50), failing: { ids, omitted } } };
}

const entry = (failing: string[], omitted = 0): ResultsEntry => ({
  sha: SHA,
  ref: 'refs/heads/main',
  failing,
  omitted,
  tests: 10,
});

describe('buildResultsEntry', () => {
  test('distinct ids of the kept failures, the omitted count and the totals', () => {
    const built = buildResultsEntry(
      result([failure('t.py::a'), failure('t.py::a', 'error'), failure('t.py::b')], 3),
      SHA,
      'refs/heads/main',
    );
    expect(built).toEqual({
      sha: SHA,
      ref: 'refs/heads/main',
      failing: ['t.py::a', 't.py::b'],
      omitted: 3,
      tests: 10,
    });
  });

  test('over-long ids are left out and counted as omitted', () => {
    const built = buildResultsEntry(result([failure('x'.repeat(1001)), failure('ok')]), SHA, 'r');
    expect(built.failing).toEqual(['ok']);
    expect(built.omitted).toBe(1);
  });

  test('what it writes parses back', () => {
    const built = buildResultsEntry(result([failure('t.py::a')]), SHA, 'refs/heads/main');
    expect(parseResultsEntry(JSON.stringify(built))).toEqual(built);
  });
});

describe('parseResultsEntry: restored data is untrusted', () => {
  const good = entry(['t.py::a']);
  test.each([
    ['not JSON', '{', 'not JSON'],
    ['an array', '[]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['a short sha', JSON.stringify({ ...good, sha: 'abc' }), 'sha'],
    ['a sha with markup', JSON.stringify({ ...good, sha: `<b>${SHA.slice(3)}` }), 'sha'],
    ['a tag ref', JSON.stringify({ ...good, ref: 'refs/tags/v1' }), 'ref'],
    ['failing not a list', JSON.stringify({ ...good, failing: 'x' }), 'failing'],
    ['failing with objects', JSON.stringify({ ...good, failing: [{ id: 1 }] }), 'failing'],
    ['failing with an empty id', JSON.stringify({ ...good, failing: [''] }), 'failing'],
    [
      'too many ids',
      JSON.stringify({
        ...good,
        failing: Array.from({ length: MAX_FAILING + 1 }, (_, i) => `t${i}`),
      }),
      'failing',
    ],
    ['a negative count', JSON.stringify({ ...good, omitted: -1 }), 'counts'],
    ['a missing count', JSON.stringify({ ...good, tests: undefined }), 'counts'],
  ])('%s is refused with a reason', (_name, text, reason) => {
    const parsed = parseResultsEntry(text);
    expect('problem' in parsed && parsed.problem).toContain(reason);
  });
});

describe('splitFailures', () => {
  test('failures the base branch also had are known; the rest are new', () => {
    const split = splitFailures(
      result([failure('a'), failure('b'), failure('b', 'error'), failure('c')]),
      entry(['a', 'z']),
    );
    expect(split.fresh.map((f) => f.id)).toEqual(['b', 'b', 'c']);
    expect(split.known.map((f) => f.id)).toEqual(['a']);
    expect(split.freshIds).toBe(2);
    expect(split.knownIds).toBe(1);
  });

  test('counts come from every failing id, not only the failures kept with details', () => {
    // 120 failing tests, 50 kept with details (t0..t49); main failed t0..t89.
    const { ids, run } = manyFailing(120);
    const split = splitFailures(run, entry(ids.slice(0, 90)));
    expect(split).toMatchObject({ freshIds: 30, knownIds: 90, unsorted: 0 });
    expect(split.fresh).toEqual([]);
    expect(split.known).toHaveLength(50);
  });
});

describe('the entry from more than 50 failures', () => {
  test('lists every failing id the reader listed, and counts the rest', () => {
    const { ids, run } = manyFailing(120, 3);
    const built = buildResultsEntry(run, SHA, 'refs/heads/main');
    expect(built.failing).toEqual(ids);
    expect(built.omitted).toBe(3);
  });
});

describe('keys', () => {
  const scope = { workflow: 'CI', job: 'test', shard: '' };
  test('one branch prefix never matches another branch that starts alike', () => {
    const prefix = resultsKeyPrefix(scope, 'main');
    expect(resultsKey(scope, 'main', SHA)).toBe(`${prefix}${SHA}`);
    expect(resultsKey(scope, 'main-2', SHA).startsWith(prefix)).toBe(false);
    expect(resultsKey(scope, 'main/x', SHA).startsWith(prefix)).toBe(false);
  });

  test('jobs, workflows and shards have keys of their own', () => {
    const keys = new Set(
      [
        scope,
        { ...scope, job: 'other' },
        { ...scope, workflow: 'Other' },
        { ...scope, shard: '1of2' },
      ].map((s) => resultsKeyPrefix(s, 'main')),
    );
    expect(keys.size).toBe(4);
  });

  test('no commas (GitHub refuses them), escaped without merging names; long names bounded', () => {
    const comma = resultsKeyPrefix(scope, 'a,b');
    expect(comma).not.toContain(',');
    expect(comma).not.toBe(resultsKeyPrefix(scope, 'a%2Cb'));
    const long = resultsKey(scope, 'x'.repeat(1000), SHA);
    expect(long.length).toBeLessThan(512);
    expect(long).not.toBe(resultsKey(scope, `${'x'.repeat(999)}y`, SHA));
  });
});

describe('which runs record results and which compare', () => {
  const settings = { comment: 'auto', cacheMode: 'venv', cacheSave: 'default-branch' } as const;
  const event = (name: string, ref: string, payload: unknown = {}) =>
    buildRunEvent({ GITHUB_EVENT_NAME: name, GITHUB_REF: ref }, payload);

  test.each([
    ['push', 'refs/heads/main', true],
    ['push', 'refs/heads/develop', true],
    ['schedule', 'refs/heads/main', true],
    ['workflow_dispatch', 'refs/heads/feature', true],
    ['push', 'refs/tags/v1', undefined],
    ['create', 'refs/tags/v1', undefined],
    ['release', 'refs/tags/v1', undefined],
    ['pull_request', 'refs/pull/3/merge', undefined],
    ['pull_request_target', 'refs/heads/main', undefined],
    ['workflow_run', 'refs/heads/main', undefined],
    ['issue_comment', 'refs/heads/main', undefined],
  ])('%s on %s: %s', (name, ref, saves) => {
    expect(recordDecision(event(name, ref), settings, true)?.save).toBe(saves);
  });

  test('cache-save: never, comment: off and cache: none turn it off', () => {
    const push = event('push', 'refs/heads/main');
    expect(recordDecision(push, { ...settings, cacheSave: 'never' }, true)?.save).toBe(false);
    expect(recordDecision(push, { ...settings, comment: 'off' }, true)).toBeUndefined();
    expect(recordDecision(push, { ...settings, cacheMode: 'none' }, true)).toBeUndefined();
    expect(recordDecision(push, { ...settings, cacheMode: 'pip' }, false)?.save).toBe(true);
  });

  test('only a commenting run with a base ref and a cache compares', () => {
    const pr = event('pull_request', 'refs/pull/3/merge', {
      pull_request: { number: 3, base: { ref: 'main' } },
    });
    expect(pr.baseRef).toBe('main');
    expect(comparesWithBase(pr, settings, true)).toBe(true);
    expect(comparesWithBase(pr, settings, false)).toBe(false);
    expect(comparesWithBase(pr, { ...settings, cacheMode: 'none' }, true)).toBe(false);
    expect(comparesWithBase(event('push', 'refs/heads/main'), settings, true)).toBe(false);
  });
});

describe('the comment and the summary line', () => {
  const content = {
    marker: '<!-- m -->',
    flaky: [],
    deployLine: 'Deploy gate: no',
    runUrl: '',
    title: 'CI / test',
  };
  const run = result([failure('t.py::a'), failure('t.py::b')]);

  test('split: new failures first, then those already failing on the base branch', () => {
    const body = renderComment({
      ...content,
      result: run,
      base: { branch: 'main', entry: entry(['t.py::a']) },
    });
    expect(body).toContain('2 failed, 1 new, 8 passed');
    const newAt = body.indexOf('**New failures**');
    const knownAt = body.indexOf('**Already failing on <code>main</code>** (at a1b2c3d)');
    expect(newAt).toBeGreaterThan(0);
    expect(knownAt).toBeGreaterThan(newAt);
    expect(body.indexOf('<code>t.py::b</code>')).toBeGreaterThan(newAt);
    expect(body.indexOf('<code>t.py::b</code>')).toBeLessThan(knownAt);
    expect(body.indexOf('<code>t.py::a</code>')).toBeGreaterThan(knownAt);
    expect(comparisonLine(run, { branch: 'main', entry: entry(['t.py::a']) })).toBe(
      'Compared with <code>main</code> at a1b2c3d: 1 new failing test(s), 1 already failing there.',
    );
  });

  test('omitted failures make the count a lower bound and are noted', () => {
    const body = renderComment({
      ...content,
      result: result([failure('t.py::a')], 4),
      base: { branch: 'main', entry: entry([], 2) },
    });
    expect(body).toContain('at least 1 new');
    expect(body).toContain('<code>main</code> had 2 more failure(s) than its results list');
    expect(body).toContain('- and 4 more (see the run)');
  });

  test('more than 50 failures on both sides: the new ones past the 50th are not called new', () => {
    // This run: 120 failing tests, details for the first 50; main failed the first 100.
    const { ids, run: big } = manyFailing(120);
    const base = { branch: 'main', entry: entry(ids.slice(0, 100)) };
    const body = renderComment({ ...content, result: big, base });
    expect(body).toContain('20 new');
    expect(body).not.toContain('at least');
    // No new failure has details: its list says how many, the known list shows 20 of 100.
    const lines = body.split('\n');
    const newAt = lines.indexOf('**New failures**');
    expect(lines[newAt + 2]).toBe('- and 20 more');
    expect(body).toContain('- and 80 more (see the run)');
    expect(comparisonLine(big, base)).toBe(
      'Compared with <code>main</code> at a1b2c3d: 20 new failing test(s), 100 already failing there.',
    );
  });

  test('no base results: one short line, the failures in one list; nothing when all pass', () => {
    const body = renderComment({ ...content, result: run, base: { branch: 'main' } });
    expect(body).toContain('**Failures and errors**');
    expect(body).toContain('_No results from <code>main</code> to compare with._');
    expect(body).not.toContain(' new');
    const green = renderComment({ ...content, result: result([]), base: { branch: 'main' } });
    expect(green).not.toContain('compare');
    expect(comparisonLine(result([]), { branch: 'main' })).toBe('');
    expect(comparisonLine(run, undefined)).toBe('');
  });

  test('a base branch name with markup is escaped', () => {
    const body = renderComment({ ...content, result: run, base: { branch: '<img src=x>' } });
    expect(body).toContain('&lt;img src=x&gt;');
    expect(body).not.toContain('<img');
  });
});
