#!/usr/bin/env node
/**
 * JUnit reader benchmark. For each size (1k, 10k, 100k, 1M test cases) it generates a
 * pytest-style report once, then runs, each in a FRESH node process and several times:
 *   - reader:   our streaming reader (src/pytest/junit.ts bundled once with ncc, as the action ships)
 *   - saxes:    a plain saxes parse of the same file (no handlers, default options)
 *   - readFile: fs.readFileSync(file, 'utf8') alone
 * and prints a markdown table of median wall time (whole process, spawn to exit, and the read
 * alone, timed inside the process) and median peak RSS (process.resourceUsage().maxRSS).
 *
 *   node bench/junit/run.mjs [--runs 5] [--sizes 1000,10000,100000,1000000] [--dir /tmp/junit-bench]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5]);
  process.exit(0);
}

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const runs = Number(option('runs', '5'));
const sizes = option('sizes', '1000,10000,100000,1000000').split(',').map(Number);
const dataDir = resolve(option('dir', join(tmpdir(), 'junit-bench')));
mkdirSync(dataDir, { recursive: true });

// Bundle the reader once, as the action ships it, so no TypeScript loader is timed.
const bundleDir = mkdtempSync(join(tmpdir(), 'junit-reader-'));
execFileSync(
  'npx',
  [
    'ncc',
    'build',
    join(repo, 'src/pytest/junit.ts'),
    '-o',
    bundleDir,
    '--quiet',
    '--transpile-only',
  ],
  {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const bundle = ['index.mjs', 'index.js'].map((f) => join(bundleDir, f)).find(existsSync);

const modes = ['reader', 'saxes', 'readFile'];
const rows = [];
for (const size of sizes) {
  const file = join(dataDir, `junit-${size}.xml`);
  if (!existsSync(file)) {
    execFileSync(process.execPath, [join(here, 'generate.mjs'), String(size), file], {
      stdio: 'ignore',
    });
  }
  const megabytes = readFileSync(file).length / 1e6; // once, before the timed runs
  const samples = Object.fromEntries(modes.map((m) => [m, []]));
  // Interleave the modes run by run so a busy machine hurts them alike.
  for (let run = 0; run < runs; run++) {
    for (const mode of modes) samples[mode].push(measure(mode, file));
  }
  const row = { size, megabytes };
  for (const mode of modes) {
    row[mode] = {
      wall: median(samples[mode].map((s) => s.wallMs)),
      read: median(samples[mode].map((s) => s.readMs)),
      cpu: median(samples[mode].map((s) => s.cpuMs)),
      rss: median(samples[mode].map((s) => s.rssMB)),
      tests: samples[mode][0].tests,
    };
  }
  rows.push(row);
  process.stderr.write(`${size}: done\n`);
}
rmSync(bundleDir, { recursive: true, force: true });
printTable(rows);

function measure(mode, file) {
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', mode, file, bundle],
    {
      encoding: 'utf8',
    },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${mode} ${file} failed: ${child.stderr}`);
  return { wallMs, ...JSON.parse(child.stdout) };
}

async function child(mode, file, bundlePath) {
  const started = performance.now();
  let tests;
  if (mode === 'reader') {
    const { readJUnitReports } = await import(bundlePath);
    tests = (await readJUnitReports([file])).tests;
  } else if (mode === 'saxes') {
    const { createReadStream } = await import('node:fs');
    const { SaxesParser } = await import('saxes');
    const parser = new SaxesParser();
    for await (const chunk of createReadStream(file, {
      encoding: 'utf8',
      highWaterMark: 1 << 16,
    })) {
      parser.write(chunk);
    }
    parser.close();
  } else {
    tests = readFileSync(file, 'utf8').length > 0 ? undefined : 0;
  }
  const readMs = performance.now() - started;
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stdout.write(JSON.stringify({ readMs, cpuMs, rssMB: usage.maxRSS / 1024, tests }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTable(rows) {
  const ms = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
  const mb = (v) => `${Math.round(v)} MB`;
  const lines = [
    `Median of ${runs} runs, each in a fresh node ${process.version} process. wall = whole process (spawn to exit); read = the read alone, timed inside the process; CPU = user + system time of the whole process.`,
    '',
    '| Cases | File | Reader wall | Reader read | Reader CPU | Reader peak RSS | saxes wall | saxes CPU | saxes peak RSS | readFileSync wall | readFileSync peak RSS | Reader / saxes (wall) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.size.toLocaleString('en-US')} | ${r.megabytes.toFixed(1)} MB | ${ms(r.reader.wall)} | ${ms(r.reader.read)} | ${ms(r.reader.cpu)} | ${mb(r.reader.rss)} | ${ms(r.saxes.wall)} | ${ms(r.saxes.cpu)} | ${mb(r.saxes.rss)} | ${ms(r.readFile.wall)} | ${mb(r.readFile.rss)} | ${(r.reader.wall / r.saxes.wall).toFixed(2)} |`,
    );
    if (r.reader.tests !== r.size)
      throw new Error(`reader counted ${r.reader.tests} of ${r.size} cases`);
  }
  console.log(lines.join('\n'));
}
