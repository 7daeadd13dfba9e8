/**
 * runEntry (src/runner/failure.ts) in a real child process, so @actions/core writes to real files
 * and a real stdout, and the process really has to exit: that cannot be had inside jest's own
 * process. failStep alone is tested in-process with the core fixture (fail-step.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeCommandLines, parseKeyValueFile, repoRoot } from '../../tools/harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-failure-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  errors: string[];
  outputs: Record<string, string>;
  ms: number;
}

/** Runs `body` (TypeScript, ESM) with runEntry, failStep, InputError and SetupError in scope. */
function runScript(body: string): Promise<Exit> {
  const dir = mkdtempSync(join(scratch, 'run-'));
  const output = join(dir, 'output');
  writeFileSync(output, '');
  const script = `
    import { failStep, runEntry } from './src/runner/failure.ts';
    import { InputError, SetupError } from './src/runner/errors.ts';
    ${body}
  `;
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), '--input-type=module', '-e', script],
      {
        cwd: repoRoot,
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, RUNNER_DEBUG: '' },
      },
      (error, stdout, stderr) => {
        done({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          killed: error?.killed ?? false,
          stdout,
          stderr,
          errors: activeCommandLines(stdout).filter((line) => line.startsWith('::error')),
          outputs: parseKeyValueFile(readFileSync(output, 'utf8')),
          ms: Date.now() - started,
        });
      },
    );
  });
}

const NO_DEPLOY = {
  deploy: 'false',
  environment: '',
  'deploy-reason': 'not deploying: the step failed; see its error',
};
const STACK = /\n\s+at .+:\d+:\d+/;

describe('runEntry', () => {
  it('an unhandled rejection fails the step at once: deploy=false, one error, no stack', async () => {
    const r = await runScript(`
      await runEntry(async () => {
        void Promise.reject(new Error('stray rejection'));
        await new Promise((resolve) => setTimeout(resolve, 3000));
        console.log('still running');
      });
    `);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      '::error::Unexpected error: stray rejection. Re-run with step debug logging for details, and report it if it persists.',
    ]);
    expect(r.outputs).toEqual(NO_DEPLOY);
    expect(r.stdout).not.toContain('still running');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
  });

  it('an uncaught exception fails the step at once the same way', async () => {
    const r = await runScript(`
      await runEntry(async () => {
        setTimeout(() => { throw new InputError('python-version "x" is not a valid Python version.'); }, 10);
        await new Promise((resolve) => setTimeout(resolve, 20000));
      });
    `);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['::error::python-version "x" is not a valid Python version.']);
    expect(r.outputs).toEqual(NO_DEPLOY);
    expect(r.ms).toBeLessThan(15000);
  });

  it('exits once run() settles, even with a timer left behind (a dangling HTTP retry)', async () => {
    const ok = await runScript(`
      await runEntry(async () => { setInterval(() => {}, 1000); console.log('done'); });
    `);
    expect(ok.killed).toBe(false);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('done');
    expect(ok.errors).toEqual([]);
    expect(ok.outputs).toEqual({});

    const failed = await runScript(`
      await runEntry(async () => {
        setInterval(() => {}, 1000);
        throw new InputError('deploy-events line 1 "pushh" is not a GitHub event name.');
      });
    `);
    expect(failed.killed).toBe(false);
    expect(failed.code).toBe(1);
    expect(failed.errors).toEqual([
      '::error::deploy-events line 1 "pushh" is not a GitHub event name.',
    ]);
    expect(failed.outputs).toEqual(NO_DEPLOY);
  });
});
