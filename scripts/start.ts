/**
 * `npm start`: runs the bundled action (dist/index.js) on examples/service exactly as the runner
 * would, through the same harness as the e2e tests, and prints its outputs and the job summary.
 * The virtualenv cache lives in .cache/, so a second `npm start` shows a warm run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInputArgs, repoRoot, runAction } from '../tools/harness.js';
import { layoutToolCache } from '../tools/toolcache.js';

const toolCache = join(repoRoot, '.cache/tool-cache');
mkdirSync(toolCache, { recursive: true });
const versions = layoutToolCache(toolCache);
console.log(`Runner tool cache at ${toolCache} with Python ${versions.join(', ')}`);

const started = Date.now();
const result = await runAction({
  workspace: repoRoot,
  toolCache,
  inputs: {
    'working-directory': 'examples/service',
    'cache-dir': join(repoRoot, '.cache/pyci'),
    ...parseInputArgs(process.argv.slice(2)),
  },
  event: { name: 'push', ref: 'refs/heads/main' },
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);

console.log(
  `\n── Outputs (${((Date.now() - started) / 1000).toFixed(1)} s, exit ${result.exitCode}) ──`,
);
for (const [name, value] of Object.entries(result.outputs))
  console.log(`${name.padEnd(18)} ${value}`);
// The run's own files are removed when this process exits: keep the summary where it can be read.
const summaryPath = join(repoRoot, '.cache/job-summary.md');
writeFileSync(summaryPath, result.summary);
console.log(`\nJob summary: ${summaryPath}`);
if (result.timedOut) console.log('The run timed out.');
process.exitCode = result.exitCode;
