/**
 * Coverage combine benchmark: 64 shard data files of a 2,000-file project (3 runner roots),
 * combined, reported and read by the action's own code; medians of --runs fresh processes.
 * Peak RSS of the whole pass (node and the coverage.py processes it starts) from GNU time.
 * Then the same data as Cobertura XML (cobertura.py): coverage.py's report of the combined data,
 * and one report per shard, read and merged by cobertura.ts.
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
if (!existsSync(join(dir, 'xml/full.xml'))) {
  execFileSync(python, [join(here, 'cobertura.py'), dir], { stdio: 'inherit' });
}
const coverageVersion = execFileSync(python, ['-m', 'coverage', '--version'], {
  encoding: 'utf8',
}).split('\n')[0];

/** `runs` fresh processes of `script` under GNU time: their JSON figures and peak RSS. */
function measure(script, ...scriptArgs) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', 'PEAK %M', join(repo, 'node_modules/.bin/tsx'), join(here, script), ...scriptArgs],
      { cwd: repo, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`run failed: ${run.stderr}`);
    const figures = JSON.parse(run.stdout.trim().split('\n').pop());
    figures.peakKb = Number(/PEAK (\d+)/.exec(run.stderr)[1]);
    results.push(figures);
    console.error(`${script} ${scriptArgs.at(-1)} run ${i + 1}: ${JSON.stringify(figures)}`);
  }
  return results;
}
const medianOf = (results, key) => {
  const values = results.map((r) => r[key]).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
};
const results = measure('once.ts', dir, python);
const median = (key) => medianOf(results, key);
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

console.log(
  '\nCobertura XML, read by cobertura.ts (fresh process each; node is the only process):\n',
);
console.log('| reports | size | read + merge | total | node peak RSS |');
console.log('| ------: | ---: | -----------: | ----: | ------------: |');
for (const which of ['full', 'shards']) {
  const xml = measure('cobertura-once.ts', dir, which);
  const x = xml[0];
  console.log(
    `| ${x.reports} (${which === 'full' ? "coverage.py's, combined" : 'one per shard'}) | ${(x.xmlBytes / 1e6).toFixed(1)} MB | ${ms(medianOf(xml, 'readMs'))} | ${x.percent.toFixed(2)}% | ${mb(medianOf(xml, 'nodeMaxRssKb'))} |`,
  );
}
