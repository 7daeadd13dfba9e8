/**
 * `npm run local-action` (scripts/local-action.ts): the action's source run by
 * @github/local-action under Node 24, with the runner's variables in a generated .env file.
 * One run on a small fixture; its printed outputs must be those of a real, passing run.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../tools/harness.js';
import { workspaceFrom } from '../support/fixtures.js';

/** The `name value` lines the script prints after `── Outputs`. */
function printedOutputs(stdout: string): Record<string, string> {
  const at = stdout.indexOf('── Outputs');
  if (at < 0) throw new Error(`no outputs section in:\n${stdout}`);
  const lines = stdout.slice(at).split('\n').slice(1);
  const end = lines.findIndex((line) => line === '');
  return Object.fromEntries(
    lines.slice(0, end).map((line) => {
      const [, name, value] = /^(\S+)\s*(.*)$/.exec(line)!;
      return [name, value];
    }),
  );
}

it('runs src/main.ts on a project and prints its outputs: tests passed, a deploy decision', async () => {
  const workspace = workspaceFrom('passing');
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((done) =>
    execFile(
      process.execPath,
      [
        join(repoRoot, 'node_modules/tsx/dist/cli.mjs'),
        'scripts/local-action.ts',
        '--workspace',
        workspace,
        'python-version=3.11',
        'cache=none',
      ],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 150_000 },
      (error, out, err) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
    ),
  );
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  // local-action's own banner: the step ran through it, from the TypeScript source.
  expect(stdout).toContain('Running Action');
  expect(stdout).toContain(join(repoRoot, 'src/main.ts'));
  const outputs = printedOutputs(stdout);
  // With no outputs at all, show what local-action printed: that is where the cause is.
  expect({
    outputs,
    log: Object.keys(outputs).length > 0 ? '' : stdout.slice(-4000),
  }).toMatchObject({
    outputs: { tests: '3', passed: '3', failed: '0', errors: '0' },
    log: '',
  });
  expect(outputs['python-version']).toMatch(/^3\.11\.\d+$/);
  expect(outputs['venv-path']).toBe(join(workspace, '.venv'));
  // push to refs/heads/main with the default deploy-branches (main): a deploy, with its reason.
  expect(outputs.deploy).toBe('true');
  expect(outputs['deploy-reason']).toMatch(/main/);
}, 180_000);
