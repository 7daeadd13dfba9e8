/**
 * One measured read of Cobertura XML reports by the action's own code (cobertura.ts into a
 * LineUnion, paths mapped to the generated project as report-only mode does). Prints JSON figures.
 * usage: tsx bench/coverage/cobertura-once.ts DIR full|shards
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readCobertura } from '../../src/coverage/cobertura.js';
import { LineUnion } from '../../src/coverage/line-union.js';
import { reportedFileResolver } from '../../src/coverage/paths.js';
import { localRootsOf } from '../../src/coverage/stage.js';

const [dir, which] = process.argv.slice(2);
const project = join(dir, 'project');
const files =
  which === 'full'
    ? [join(dir, 'xml/full.xml')]
    : readdirSync(join(dir, 'xml/shards')).map((name) => join(dir, 'xml/shards', name));
const where = { workspace: project, workingDirectory: project };
const rssBefore = process.memoryUsage().rss;
const t = performance.now();
const union = new LineUnion();
await readCobertura(
  files,
  union,
  reportedFileResolver({ ...where, localRoots: localRootsOf(where), exists: existsSync }),
);
const report = union.report();
const readMs = performance.now() - t;
process.stdout.write(
  `${JSON.stringify({
    reports: files.length,
    files: report.files,
    statements: report.statements,
    percent: report.percent,
    xmlBytes: files.reduce((sum, file) => sum + statSync(file).size, 0),
    readMs,
    nodeRssBeforeReadKb: Math.round(rssBefore / 1024),
    nodeMaxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
