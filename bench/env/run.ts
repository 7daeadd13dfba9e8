/**
 * The environment benchmark of issues 4 and 12 (see bench/env/README.md): on examples/service,
 * in one run with the modes interleaved round by round,
 *   plain    copy of the project, `python -m venv`, `pip install -U pip`, `pip install -r`, `pytest`
 *   cold     the action (dist/index.js through the runner harness) with an empty cache-dir
 *   warm     the action with the cache-dir a previous run filled, same workspace path
 *   unpack   `tar -I zstd -xf` of the venv archive the warm cache holds (the floor for a restore)
 *   in place the action again in the warm workspace, the venv the warm run left still there
 *   bumped   the action with one requirement changed (BUMP) and a hard-link copy of the warm
 *            cache, which holds the environment from before the change
 * and prints a markdown table of medians with the ratios of the same run. The last two measure
 * whatever the action does in those cases (reuse or restore; incremental or full install).
 *
 *   npx tsx bench/env/run.ts [--runs 5] [--dir DIR] [--profile]
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot, runAction } from '../../tools/harness.js';
import { layoutToolCache, pyenvPrefix } from '../../tools/toolcache.js';

const PYTHON_VERSION = '3.11.7';
const PROJECT = join(repoRoot, 'examples/service');
/** The action is started through this wrapper, which loads dist/index.js and records timestamps. */
const ENTRY = 'bench/env/timed-entry.mjs';
/**
 * The bumped scenario's one change: numpy pinned to another release (2.4.1 instead of the newest
 * the index has), which swaps one large compiled package and leaves the others as they were.
 */
const BUMP = { file: 'requirements.txt', from: 'numpy>=1.26', to: 'numpy==2.4.1' };

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
}
const runs = Number(option('--runs', '5'));
const root = option('--dir', join(tmpdir(), 'env-bench'));
const profile = args.includes('--profile');
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');

// PyPI is unreachable on our machines: without this pip sleeps through its retries before it
// settles for the configured local indexes. Set the same way for plain pip and for the action.
const benchEnv: Record<string, string> = { PIP_RETRIES: '0' };
const env = { ...process.env, ...benchEnv };

const now = () => performance.timeOrigin + performance.now();

interface Child {
  command: string;
  start: number;
  end?: number;
}
interface Trace {
  origin: number;
  entry: number;
  exit: number;
  lines: [number, string][];
  children: Child[];
}

function exec(file: string, argv: string[], cwd?: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(file, argv, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        fail(new Error(`${file} ${argv.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else done();
    });
  });
}

/** The project's own files: no venv, caches or bytecode left there by earlier runs. */
function copyProject(dest: string): void {
  cpSync(PROJECT, dest, {
    recursive: true,
    filter: (source) =>
      !relative(PROJECT, source)
        .split(/[\\/]/)
        .some((part) => ['.venv', '.pytest_cache', '__pycache__'].includes(part)),
  });
}

interface PlainTimes {
  install: number;
  pytest: number;
  total: number;
}

async function plainRun(python: string): Promise<PlainTimes> {
  const dir = mkdtempSync(join(root, 'plain-'));
  copyProject(dir);
  const venvPython = join(dir, '.venv', 'bin', 'python');
  const start = now();
  await exec(python, ['-m', 'venv', '.venv'], dir);
  await exec(venvPython, ['-m', 'pip', 'install', '-U', 'pip'], dir);
  await exec(venvPython, ['-m', 'pip', 'install', '-r', 'requirements.txt'], dir);
  const installed = now();
  await exec(venvPython, ['-m', 'pytest'], dir);
  const end = now();
  rmSync(dir, { recursive: true, force: true });
  return { install: installed - start, pytest: end - installed, total: end - start };
}

interface ActionTimes {
  total: number;
  pytest: number;
  overhead: number;
  trace: Trace;
}

/** expectHit undefined: whatever the action reports (bumped: a miss today, partial later). */
async function actionRun(
  workspace: string,
  cacheDir: string,
  toolCache: string,
  expectHit: boolean | undefined,
): Promise<ActionTimes> {
  const start = now();
  const result = await runAction({
    entry: ENTRY,
    workspace,
    toolCache,
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', 'cache-dir': cacheDir },
    env: benchEnv,
  });
  const total = now() - start;
  const traceLine = result.stderr.split('\n').find((line) => line.startsWith('PYCI_BENCH_TRACE '));
  if (result.exitCode !== 0 || !traceLine)
    throw new Error(
      `The action failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`,
    );
  if (expectHit !== undefined && result.outputs['cache-hit'] !== String(expectHit))
    throw new Error(
      `Expected cache-hit=${expectHit}, got ${result.outputs['cache-hit']}:\n${result.stdout}`,
    );
  if (result.outputs.passed !== '8' || result.outputs.failed !== '0')
    throw new Error(`Expected the 8 tests of examples/service to pass:\n${result.stdout}`);
  const trace = JSON.parse(traceLine.slice('PYCI_BENCH_TRACE '.length)) as Trace;
  // pytest's own wall time: from the action starting `python -m pytest` to that process's exit.
  const pytest = trace.children.find((child) => / -m pytest /.test(child.command));
  if (!pytest?.end) throw new Error('No pytest process in the trace');
  return {
    total,
    pytest: pytest.end - pytest.start,
    overhead: total - (pytest.end - pytest.start),
    trace,
  };
}

async function unpackRun(archive: string): Promise<number> {
  const dir = mkdtempSync(join(root, 'unpack-'));
  const start = now();
  await exec('tar', ['-I', 'zstd', '-xf', archive, '-C', dir]);
  const elapsed = now() - start;
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

/**
 * Untimed, before every measured run: writes the previous mode left in the page cache go to disk
 * now, not while the next mode runs (on this machine's disk, ~85 MB/s, the 330 MB a mode writes
 * would otherwise slow whichever mode comes after it).
 */
function settleDisk(): void {
  execFileSync('sync');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

function output(file: string, argv: string[]): string {
  try {
    return execFileSync(file, argv, { encoding: 'utf8', env }).trim();
  } catch {
    return '?';
  }
}

/** Where a run's time goes: node, each child process, and the gaps between them. */
function printProfile(title: string, trace: Trace, spawnedAt: number): void {
  const at = (t: number) => `${(t - trace.origin).toFixed(0).padStart(6)} ms`;
  console.log(`\n### Profile of the last ${title} run\n`);
  console.log("Offsets from node's own start (performance.timeOrigin); negative: before it.\n");
  console.log('```');
  console.log(`${at(spawnedAt)}  harness calls runAction (temp dirs, GITHUB_* files, spawn)`);
  console.log(`${at(trace.entry)}  timed entry runs (node start-up done), imports dist/index.js`);
  const events: [number, string][] = [
    ...trace.children.map((child): [number, string] => [
      child.start,
      `child ${child.end ? `${(child.end - child.start).toFixed(0).padStart(5)} ms` : '   (no end)'}  ${child.command}`,
    ]),
    ...trace.lines
      .filter(
        ([, line]) =>
          /^(::group::|::endgroup::|Restored|Saved|::notice|::warning|\[command\])/.test(line) ||
          line.startsWith('::debug::'),
      )
      .map(([t, line]): [number, string] => [t, `log   ${line.slice(0, 150)}`]),
  ].sort((a, b) => a[0] - b[0]);
  if (trace.lines[0])
    events.unshift([
      trace.lines[0][0],
      `first line the action writes: ${trace.lines[0][1].slice(0, 80)}`,
    ]);
  events.sort((a, b) => a[0] - b[0]);
  for (const [t, text] of events) console.log(`${at(t)}  ${text}`);
  console.log(`${at(trace.exit)}  process exit`);
  console.log('```');
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  const load = loadavg();
  const toolCache = join(root, 'tool-cache');
  mkdirSync(toolCache, { recursive: true });
  layoutToolCache(toolCache, [PYTHON_VERSION]);
  const python = join(pyenvPrefix(PYTHON_VERSION), 'bin', 'python');
  if (!existsSync(join(repoRoot, 'dist/index.js')))
    throw new Error('dist/index.js is missing: npm run build');

  // The warm workspace keeps one absolute path (it is part of the cache key); its cache-dir is
  // filled once by an unmeasured run.
  const warmWorkspace = join(root, 'warm', 'workspace');
  const warmCache = join(root, 'warm', 'cache');
  rmSync(join(root, 'warm'), { recursive: true, force: true });
  mkdirSync(warmWorkspace, { recursive: true });
  copyProject(warmWorkspace);
  console.error('Filling the warm cache (one unmeasured cold run)...');
  await actionRun(warmWorkspace, warmCache, toolCache, false);
  const archive = readdirSync(warmCache).find(
    (name) => name.startsWith('pyci-venv-') && name.endsWith('.tar.zst'),
  );
  if (!archive) throw new Error(`No .tar.zst archive in ${warmCache} (is zstd installed?)`);
  const archivePath = join(warmCache, archive);
  const venvMB = Number(output('du', ['-sm', join(warmWorkspace, '.venv')]).split(/\s/)[0]);
  const pipVersion = output(join(warmWorkspace, '.venv/bin/python'), [
    '-m',
    'pip',
    '--version',
  ]).split(' ')[1];

  const plain: PlainTimes[] = [];
  const cold: ActionTimes[] = [];
  const warm: ActionTimes[] = [];
  const unpack: number[] = [];
  const inPlace: ActionTimes[] = [];
  const bumped: ActionTimes[] = [];
  const requirementsFile = join(warmWorkspace, BUMP.file);
  const requirements = readFileSync(requirementsFile, 'utf8');
  if (!requirements.includes(BUMP.from)) throw new Error(`${BUMP.from} not in ${BUMP.file}`);
  let lastWarmSpawn = 0;
  let lastColdSpawn = 0;
  let lastBumpedSpawn = 0;
  for (let round = 1; round <= runs; round++) {
    settleDisk();
    plain.push(await plainRun(python));

    const coldWorkspace = mkdtempSync(join(root, 'cold-ws-'));
    const coldCache = mkdtempSync(join(root, 'cold-cache-'));
    copyProject(coldWorkspace);
    lastColdSpawn = now();
    settleDisk();
    cold.push(await actionRun(coldWorkspace, coldCache, toolCache, false));
    rmSync(coldWorkspace, { recursive: true, force: true });
    rmSync(coldCache, { recursive: true, force: true });

    // A fresh checkout has no venv: remove the one the previous run left (not timed).
    rmSync(join(warmWorkspace, '.venv'), { recursive: true, force: true });
    lastWarmSpawn = now();
    settleDisk();
    warm.push(await actionRun(warmWorkspace, warmCache, toolCache, true));

    settleDisk();
    unpack.push(await unpackRun(archivePath));

    // Self-hosted, same key again: the venv the warm run left is still at venv-path.
    settleDisk();
    inPlace.push(await actionRun(warmWorkspace, warmCache, toolCache, true));

    // One requirement changed, with the cache as it was before the change (a copy, untimed, so
    // the bumped entry a run saves never makes the next round a plain hit). A hard-link copy:
    // an entry's hard-link tree is used only while its files keep their inodes.
    const bumpCache = mkdtempSync(join(root, 'bump-cache-'));
    execFileSync('cp', ['-al', `${warmCache}/.`, bumpCache]);
    rmSync(join(warmWorkspace, '.venv'), { recursive: true, force: true });
    writeFileSync(requirementsFile, requirements.replace(BUMP.from, BUMP.to));
    try {
      lastBumpedSpawn = now();
      settleDisk();
      bumped.push(await actionRun(warmWorkspace, bumpCache, toolCache, undefined));
    } finally {
      writeFileSync(requirementsFile, requirements);
      rmSync(bumpCache, { recursive: true, force: true });
    }

    const p = plain.at(-1)!;
    const c = cold.at(-1)!;
    const w = warm.at(-1)!;
    const i = inPlace.at(-1)!;
    const b = bumped.at(-1)!;
    console.error(
      `round ${round}/${runs}: plain install ${seconds(p.install)} + pytest ${seconds(p.pytest)}; ` +
        `cold ${seconds(c.total)} (pytest ${seconds(c.pytest)}); warm ${seconds(w.total)} ` +
        `(overhead ${seconds(w.overhead)}, pytest ${seconds(w.pytest)}); unpack ${seconds(unpack.at(-1)!)}; ` +
        `in place ${seconds(i.total)} (overhead ${seconds(i.overhead)}); bumped ${seconds(b.total)} ` +
        `(overhead ${seconds(b.overhead)})`,
    );
  }

  const m = {
    plainInstall: median(plain.map((r) => r.install)),
    plainPytest: median(plain.map((r) => r.pytest)),
    plainTotal: median(plain.map((r) => r.total)),
    coldTotal: median(cold.map((r) => r.total)),
    coldPytest: median(cold.map((r) => r.pytest)),
    coldOverhead: median(cold.map((r) => r.overhead)),
    warmTotal: median(warm.map((r) => r.total)),
    warmPytest: median(warm.map((r) => r.pytest)),
    warmOverhead: median(warm.map((r) => r.overhead)),
    unpack: median(unpack),
    inPlaceTotal: median(inPlace.map((r) => r.total)),
    inPlaceOverhead: median(inPlace.map((r) => r.overhead)),
    inPlacePytest: median(inPlace.map((r) => r.pytest)),
    bumpedTotal: median(bumped.map((r) => r.total)),
    bumpedOverhead: median(bumped.map((r) => r.overhead)),
    bumpedPytest: median(bumped.map((r) => r.pytest)),
  };
  const when = new Date().toISOString().slice(11, 16);
  const node = process.version;
  console.log(
    `Median of ${runs} runs (${when} UTC), ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ` +
      `load average at start ${load.map((l) => l.toFixed(2)).join(' / ')}; node ${node}, ` +
      `Python ${PYTHON_VERSION}, pip ${pipVersion} in the venv; venv ${venvMB} MB, archive ` +
      `${(statSync(archivePath).size / 1024 / 1024).toFixed(0)} MB (zstd -3). ` +
      `Env for plain and action: ${Object.entries(benchEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}.\n`,
  );
  console.log('| Mode | Total | Outside pytest | pytest |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| plain: venv + pip install -U pip + pip install -r, then pytest | ${seconds(m.plainTotal)} | ${seconds(m.plainInstall)} (install) | ${seconds(m.plainPytest)} |`,
  );
  console.log(
    `| action, cold (empty cache-dir) | ${seconds(m.coldTotal)} | ${seconds(m.coldOverhead)} | ${seconds(m.coldPytest)} |`,
  );
  console.log(
    `| action, warm (cache hit) | ${seconds(m.warmTotal)} | ${seconds(m.warmOverhead)} | ${seconds(m.warmPytest)} |`,
  );
  console.log(
    `| unpack only: \`tar -I zstd -xf\` of the cached venv | ${seconds(m.unpack)} | ${seconds(m.unpack)} | – |`,
  );
  console.log(
    `| action, in place (the venv of the previous run still at venv-path, same key) | ${seconds(m.inPlaceTotal)} | ${seconds(m.inPlaceOverhead)} | ${seconds(m.inPlacePytest)} |`,
  );
  console.log(
    `| action, one requirement bumped (\`${BUMP.from}\` → \`${BUMP.to}\`), cache from before | ${seconds(m.bumpedTotal)} | ${seconds(m.bumpedOverhead)} | ${seconds(m.bumpedPytest)} |`,
  );
  console.log('');
  console.log('| Ratio (medians of this run) | Value | Aim |');
  console.log('|---|---:|---|');
  console.log(
    `| plain install / warm overhead | ${(m.plainInstall / m.warmOverhead).toFixed(1)}x | ≥ 5x |`,
  );
  console.log(
    `| warm overhead / unpack only | ${(m.warmOverhead / m.unpack).toFixed(2)}x | ≤ 1.1x |`,
  );
  console.log(`| plain total / warm total | ${(m.plainTotal / m.warmTotal).toFixed(1)}x | |`);
  console.log(
    `| cold total / plain total | ${(m.coldTotal / m.plainTotal).toFixed(2)}x | ≤ 1.0x |`,
  );
  console.log(
    `| bumped total / plain total | ${(m.bumpedTotal / m.plainTotal).toFixed(2)}x | ≤ 0.35x |`,
  );
  console.log(`| in-place outside pytest | ${seconds(m.inPlaceOverhead)} | < 1 s |`);

  if (profile) {
    printProfile('warm', warm.at(-1)!.trace, lastWarmSpawn);
    printProfile('cold', cold.at(-1)!.trace, lastColdSpawn);
    printProfile('bumped', bumped.at(-1)!.trace, lastBumpedSpawn);
  }
  rmSync(join(root, 'warm'), { recursive: true, force: true });
}

await main();
