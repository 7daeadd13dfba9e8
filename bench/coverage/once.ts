/**
 * One measured pass of the action's coverage path on generated shard data: combine (with [paths]
 * found from the recorded roots), coverage json, the streaming read. Prints JSON figures.
 * usage: tsx bench/coverage/once.ts DIR PYTHON
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { combineShards } from '../../src/coverage/stage.js';
import { writeReport } from '../../src/coverage/tool.js';
import { readCoverageJson } from '../../src/coverage/read-report.js';

const [dir, python] = process.argv.slice(2);
const project = join(dir, 'project');
const dataDir = join(dir, 'data');
const files = readdirSync(dataDir).map((name) => join(dataDir, name));
const scratch = mkdtempSync(join(dir, 'scratch-'));
// The child processes' output would drown the figures.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;

let t = performance.now();
const combined = await combineShards({
  python,
  files,
  workspace: project,
  workingDirectory: project,
  scratchDir: scratch,
});
const combineMs = performance.now() - t;
t = performance.now();
const json = join(scratch, 'report.json');
await writeReport('json', python, combined, json, project);
const jsonMs = performance.now() - t;
const rssBefore = process.memoryUsage().rss;
t = performance.now();
const report = await readCoverageJson(json);
const readMs = performance.now() - t;
write(
  `${JSON.stringify({
    shards: files.length,
    files: report.files,
    percent: report.percent,
    jsonBytes: statSync(json).size,
    combineMs,
    jsonMs,
    readMs,
    nodeRssBeforeReadKb: Math.round(rssBefore / 1024),
    nodeMaxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
rmSync(scratch, { recursive: true, force: true });
