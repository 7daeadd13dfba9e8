/**
 * Coverage combine benchmark: 64 shard data files of a 2,000-file project (3 runner roots),
 * combined, reported and read by the action's own code; medians of --runs fresh processes.
 * Peak RSS of the whole pass (node and the coverage.py processes it starts) from GNU time.
 *
 *   node bench/coverage/run.mjs [--runs 5] [--dir $TMPDIR/coverage-bench]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(option('runs', '5'));
const dir = resolve(option('dir', join(tmpdir(), 'coverage-bench')));
const here = import.meta.dirname;
const repo = resolve(here, '../..');
mkdirSync(dir, { recursive: true });

const venv = join(dir, 'venv');
const python = join(venv, 'bin/python');
if (!existsSync(python)) {
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '-q', 'coverage'], {
    stdio: 'inherit',
    env: { ...process.env, PIP_RETRIES: '0' },
  });
}
if (!existsSync(join(dir, 'data'))) {
  execFileSync(python, [join(here, 'generate.py'), dir], { stdio: 'inherit' });
}
const coverageVersion = execFileSync(python, ['-m', 'coverage', '--version'], {
  encoding: 'utf8',
}).split('\n')[0];

const results = [];
for (let i = 0; i < runs; i++) {
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', 'PEAK %M', join(repo, 'node_modules/.bin/tsx'), join(here, 'once.ts'), dir, python],
    { cwd: repo, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`run failed: ${run.stderr}`);
  const figures = JSON.parse(run.stdout.trim().split('\n').pop());
  figures.peakKb = Number(/PEAK (\d+)/.exec(run.stderr)[1]);
  results.push(figures);
  console.error(`run ${i + 1}: ${JSON.stringify(figures)}`);
}
const median = (key) => {
  const values = results.map((r) => r[key]).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
};
const ms = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const r = results[0];
console.log(
  `Median of ${runs} runs, ${r.shards} data files, ${r.files} files measured, ${coverageVersion}, node ${process.version}; JSON report ${(r.jsonBytes / 1e6).toFixed(1)} MB; total ${r.percent.toFixed(2)}%.\n`,
);
console.log(
  '| combine | coverage json | streaming read | node peak RSS | peak RSS (node + coverage.py) |',
);
console.log(
  '| ------: | ------------: | -------------: | ------------: | ----------------------------: |',
);
console.log(
  `| ${ms(median('combineMs'))} | ${ms(median('jsonMs'))} | ${ms(median('readMs'))} | ${mb(median('nodeMaxRssKb'))} | ${mb(median('peakKb'))} |`,
);
