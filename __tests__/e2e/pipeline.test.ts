/**
 * The whole pipeline through the real bundle (dist/index.js) started as the runner starts it:
 * real interpreters from a runner-style tool cache, real venv, pip and pytest.
 */
import { join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import {
  makeTempDir,
  nodeBinaries,
  nodeLabel,
  runAction,
  type RunResult,
} from '../../tools/harness.js';
import { workspaceFrom } from '../support/fixtures.js';
import { layoutToolCache } from '../../tools/toolcache.js';

const toolCache = makeTempDir('pyci-toolcache-');
const cachedVersions = layoutToolCache(toolCache);

function run(
  fixture: string,
  inputs: Record<string, string> = {},
  node?: string,
): Promise<RunResult> {
  return runAction({
    workspace: workspaceFrom(fixture),
    toolCache,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'cache-dir': makeTempDir('pyci-cache-'),
      ...inputs,
    },
    node,
  });
}

describe.each(nodeBinaries().map((node) => [nodeLabel(node), node]))('under %s', (_name, node) => {
  it('sets up Python, installs requirements, runs the tests and exports the environment', async () => {
    const result = await run('passing', {}, node);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      tests: '3',
      passed: '3',
      failed: '0',
      errors: '0',
      skipped: '0',
    });
    expect(result.outputs['python-version']).toMatch(/^3\.11\.\d+$/);
    expect(result.outputs['python-source']).toBe('tool-cache');
    expect(result.outputs['python-path']).toContain(join(toolCache, 'Python'));
    const venv = join(result.workspace, '.venv');
    expect(result.outputs['venv-path']).toBe(venv);
    expect(result.env.VIRTUAL_ENV).toBe(venv);
    expect(result.env.pythonLocation).toContain(join(toolCache, 'Python'));
    expect(result.path.at(-1)).toBe(join(venv, 'bin')); // the runner prepends: last added is first
    expect(result.summary).toContain('3 passed');
  });
});

describe('pipeline outcomes', () => {
  it('reports failures and errors with counts, annotations and a failed step', async () => {
    const result = await run('failing');
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      tests: '4',
      passed: '1',
      failed: '1',
      errors: '1',
      skipped: '1',
    });
    const annotations = result.commands.filter(
      (line) => line.startsWith('::error ') && line.includes('file='),
    );
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toMatch(/file=tests\/test_mixed.py,line=9::assert \(1 \+ 1\) == 3$/);
    expect(annotations[1]).toMatch(/file=tests\/test_mixed.py,line=14::.*fixture exploded/);
    expect(result.errors.at(-1)).toBe(
      'Some tests failed: 1 failed, 1 errors, 1 passed. See the job summary.',
    );
    expect(result.outputs).toMatchObject({
      deploy: 'false',
      'deploy-reason': 'not deploying: tests failed',
    });
  });

  it('runs where the runner provides no job summary file (a local run), and says so', async () => {
    const result = await runAction({
      workspace: workspaceFrom('passing'),
      toolCache,
      inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', cache: 'none' },
      env: { GITHUB_STEP_SUMMARY: '' },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ tests: '3', passed: '3' });
    expect(result.stdout).toContain('No job summary written: GITHUB_STEP_SUMMARY is not set');
    expect(result.summary).toBe('');
  });

  it('fails clearly when no tests are collected, and passes when that is allowed', async () => {
    const strict = await run('no-tests');
    expectCleanFailure(strict);
    expect(strict.errors[0]).toMatch(/No tests were collected.*allow-no-tests/);
    const allowed = await run('no-tests', { 'allow-no-tests': 'true' });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.outputs.tests).toBe('0');
  });

  it('names a requirement that does not exist and the file asking for it', async () => {
    const result = await run('missing-package');
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^requirements: pip could not find package "definitely-not-a-real-package-pyci==1.0" named in requirements.txt/,
    );
    expect(result.outputs.tests).toBeUndefined();
  });

  it('lists the available versions when the requested one is not there', async () => {
    const result = await run('passing', { 'python-version': '3.99' });
    expectCleanFailure(result);
    expect(result.errors[0]).toContain('3.99');
    for (const version of cachedVersions) expect(result.errors[0]).toContain(version);
  });

  // One bundle run per failure class; __tests__/config.test.ts covers every refusal of readConfig.
  it.each([
    [{ 'allow-no-tests': 'yes' }, /^Input allow-no-tests must be true or false, got "yes"/],
    [{ requirements: 'nope.txt' }, /^requirements: file not found: "nope.txt"/],
    [{ 'pytest-args': '-k "unclosed' }, /^pytest-args: unterminated double quote/],
    [{ pytest_args: '-x' }, /^Unknown input "pytest_args" \(did you mean pytest-args\?\)/],
  ])('rejects bad input %j with one clear error', async (inputs, message) => {
    const result = await run('passing', inputs);
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(message);
    expect(result.outputs['python-version']).toBeUndefined(); // failed before any work
  });
});
