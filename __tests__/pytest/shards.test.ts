/** Shards: the `shard` input, and partition properties checked with fast-check. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { InputError } from '../../src/runner/errors.js';
import { parseShard, partition, readShardTimings, selectShard } from '../../src/pytest/shards.js';

describe('parseShard', () => {
  test.each([
    ['1/1', { index: 1, total: 1 }],
    ['2/4', { index: 2, total: 4 }],
    [' 3 / 3 ', { index: 3, total: 3 }],
  ])('%s', (raw, expected) => {
    expect(parseShard(raw)).toEqual(expected);
  });

  test.each(['1/1001', '1/1000000000', '5/99999999999999999999'])(
    '%s: more than 1000 parts is an error, before anything is allocated',
    (raw) => {
      expect(() => parseShard(raw)).toThrow(InputError);
      expect(() => parseShard(raw)).toThrow(/at most 1000 parts/);
    },
  );

  test('1000 parts is fine', () => {
    expect(parseShard('1000/1000')).toEqual({ index: 1000, total: 1000 });
  });

  test('empty means not sharded', () => {
    expect(parseShard('')).toBeUndefined();
    expect(parseShard('  ')).toBeUndefined();
  });

  test.each(['0/5', '3/2', '1/0', 'abc', '1/', '/2', '1.5/2', '-1/2', '1/2/3', '2of4'])(
    '%s is an InputError naming the input',
    (raw) => {
      expect(() => parseShard(raw)).toThrow(InputError);
      expect(() => parseShard(raw)).toThrow(/Input 'shard'/);
      expect(() => parseShard(raw)).toThrow(raw);
    },
  );
});

// Ids shaped like pytest's: a handful of files, several tests each, some parametrized.
const testId = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.stringMatching(/^[a-z_]{1,8}(\[[a-z0-9 :/-]{0,6}\])?$/))
  .map(([file, name]) => `tests/test_${file}.py::test_${name}`);
const ids = fc.uniqueArray(testId, { maxLength: 120 });
const parts = fc.integer({ min: 1, max: 9 });
const withTimings = ids.chain((list) =>
  fc.tuple(
    fc.constant(list),
    // Timings for a random subset of the ids (some tests are new since the timing run).
    fc.array(
      fc.tuple(
        fc.constantFrom(...(list.length ? list : ['x'])),
        fc.double({ min: 0, max: 30, noNaN: true }),
      ),
    ),
  ),
);

describe('partition', () => {
  test('disjoint and complete, with and without timings', () => {
    fc.assert(
      fc.property(withTimings, parts, fc.boolean(), ([list, pairs], n, timed) => {
        const result = partition(list, n, timed ? new Map(pairs) : undefined);
        expect(result).toHaveLength(n);
        const all = result.flat();
        expect(all).toHaveLength(list.length);
        expect(new Set(all)).toEqual(new Set(list));
      }),
    );
  });

  test('deterministic: independent of the input order, each part keeps input order', () => {
    fc.assert(
      fc.property(withTimings, parts, fc.boolean(), ([list, pairs], n, timed) => {
        const timings = timed ? new Map(pairs) : undefined;
        const shuffled = [...list].reverse();
        const a = partition(list, n, timings);
        const b = partition(shuffled, n, timings);
        expect(a.map((p) => new Set(p))).toEqual(b.map((p) => new Set(p)));
        for (const part of a) {
          expect(part).toEqual(list.filter((id) => part.includes(id)));
        }
        expect(partition(list, n, timings)).toEqual(a);
      }),
    );
  });

  test('balanced by time: loads differ by at most the longest test', () => {
    fc.assert(
      fc.property(
        ids,
        fc.array(fc.double({ min: 0.001, max: 30, noNaN: true })),
        parts,
        (list, times, n) => {
          const timings = new Map(
            list.map((id, i) => [id, times[i % Math.max(times.length, 1)] ?? 1]),
          );
          const loads = partition(list, n, timings).map((p) =>
            p.reduce((s, id) => s + timings.get(id)!, 0),
          );
          const longest = Math.max(0, ...timings.values());
          expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(longest + 1e-9);
        },
      ),
    );
  });

  test('balanced by count without timings: within one even share, files kept whole when small', () => {
    fc.assert(
      fc.property(ids, parts, (list, n) => {
        const result = partition(list, n);
        const sizes = result.map((p) => p.length);
        const share = Math.ceil(list.length / n);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(share);
        // A file no bigger than a share is never split.
        const fileOf = (id: string) => id.split('::')[0];
        for (const file of new Set(list.map(fileOf))) {
          const count = list.filter((id) => fileOf(id) === file).length;
          const holders = result.filter((p) => p.some((id) => fileOf(id) === file)).length;
          // A file of at most a share sits in one part; a bigger one may be cut.
          expect(count > share || holders === 1).toBe(true);
        }
      }),
    );
  });

  test('a single big file is spread over every shard', () => {
    const list = Array.from({ length: 100 }, (_, i) => `tests/test_big.py::test_${i}`);
    expect(partition(list, 4).map((p) => p.length)).toEqual([25, 25, 25, 25]);
  });

  test('timings steer the split; unknown tests count as the mean', () => {
    const list = ['t.py::slow', 't.py::a', 't.py::b', 't.py::new'];
    const timings = new Map([
      ['t.py::slow', 10],
      ['t.py::a', 1],
      ['t.py::b', 1],
    ]);
    expect(selectShard(list, { index: 1, total: 2 }, timings)).toEqual(['t.py::slow']);
    expect(selectShard(list, { index: 2, total: 2 }, timings)).toEqual([
      't.py::a',
      't.py::b',
      't.py::new',
    ]);
  });
});

test('readShardTimings builds id -> seconds from JUnit reports, keeping the max', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shard-timings-'));
  try {
    const report = (time: string) =>
      `<testsuites><testsuite><testcase classname="tests.test_a.T" name="test_x[1]" file="tests/test_a.py" line="3" time="${time}"/><testcase classname="tests.test_b" name="test_y" file="tests/test_b.py" time="0.5"><failure message="m">tb</failure></testcase></testsuite></testsuites>`;
    writeFileSync(join(dir, 'a.xml'), report('1.25'));
    writeFileSync(join(dir, 'b.xml'), report('2.5'));
    const timings = await readShardTimings([join(dir, 'a.xml'), join(dir, 'b.xml')]);
    expect([...timings]).toEqual([
      ['tests/test_a.py::T::test_x[1]', 2.5],
      ['tests/test_b.py::test_y', 0.5],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
