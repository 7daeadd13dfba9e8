// Entry the benchmark starts instead of dist/index.js: it loads the real bundle in the same
// process and only watches it. It records, in epoch milliseconds:
// - the time this file starts running (node start-up is `performance.timeOrigin` to here);
// - every line the action writes to stdout (so the bundle's first output marks "loaded and
//   started");
// - every child process the action starts (spawn and execFile), with its start and exit.
// At exit it writes one line `PYCI_BENCH_TRACE <json>` to stderr, which the harness hands back
// (RunResult.stderr) and bench/env/run.ts reads. Nothing the action sees changes: stdout passes
// through untouched, and the child_process functions keep their behaviour.
import childProcess from 'node:child_process';
import { writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
const trace = { origin: performance.timeOrigin, entry: now(), lines: [], children: [] };

const write = process.stdout.write.bind(process.stdout);
let partial = '';
process.stdout.write = (chunk, ...rest) => {
  const at = now();
  const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  const lines = text.split('\n');
  partial = lines.pop() ?? '';
  // Long outputs (pip, pytest) would bloat the trace: keep the start of each line.
  for (const line of lines) trace.lines.push([at, line.slice(0, 200)]);
  return write(chunk, ...rest);
};

function describe(file, args) {
  return [file, ...(Array.isArray(args) ? args : [])]
    .map((part) => String(part).slice(0, 120).replace(/\n.*/s, ' …'))
    .join(' ');
}

const { spawn, execFile } = childProcess;
childProcess.spawn = function tracedSpawn(file, args, ...rest) {
  const record = { command: describe(file, args), start: now(), end: undefined };
  trace.children.push(record);
  const child = spawn.call(this, file, args, ...rest);
  child.on('close', () => (record.end = now()));
  child.on('error', () => (record.end ??= now()));
  return child;
};
childProcess.execFile = function tracedExecFile(file, args, ...rest) {
  const record = { command: describe(file, args), start: now(), end: undefined };
  trace.children.push(record);
  const callbackAt = rest.findIndex((value) => typeof value === 'function');
  if (callbackAt >= 0) {
    const callback = rest[callbackAt];
    rest[callbackAt] = (...results) => {
      record.end = now();
      return callback(...results);
    };
  }
  return execFile.call(this, file, args, ...rest);
};
// ESM named imports of node:child_process (as in the bundle) see the patched functions.
syncBuiltinESMExports();

process.on('exit', () => {
  trace.exit = now();
  writeSync(2, `\nPYCI_BENCH_TRACE ${JSON.stringify(trace)}\n`);
});

await import(new URL('../../dist/index.js', import.meta.url).href);
