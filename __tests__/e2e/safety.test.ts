/**
 * What must never happen, through the real bundle: deleting the user's files through venv-path,
 * passing stale project code from a cached venv, a deploy output left unset by an early failure,
 * a deploy from JUnit files that hold no tests, annotations on the wrong path in a monorepo.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceFrom } from '../support/fixtures.js';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-safety-'));
const toolCache = join(scratch, 'tool-cache');
layoutToolCache(toolCache, [newestPatch('3.11')]);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(workspace: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', cache: 'none', ...inputs },
  });
}

describe('venv-path never deletes what is not a virtualenv', () => {
  it.each([
    [
      '.',
      /^venv-path "\." resolves to .*, which is .*; the action deletes and recreates that folder/,
    ],
    ['..', /^venv-path "\.\." resolves to .*, which contains /],
    ['/', /^venv-path "\/" resolves to \/, which contains /],
  ])('refuses venv-path %s before doing anything', async (venvPath, message) => {
    const workspace = workspaceFrom('passing');
    const before = readdirSync(workspace).sort();
    const result = await run(workspace, { 'venv-path': venvPath });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(message);
    expect(readdirSync(workspace).sort()).toEqual(before);
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });

  it('refuses to replace a folder that is not a virtualenv', async () => {
    const workspace = workspaceFrom('passing');
    const result = await run(workspace, { 'venv-path': 'tests' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^venv-path .*tests exists and is not a virtualenv/);
    expect(existsSync(join(workspace, 'tests', 'test_calc.py'))).toBe(true);
  });
});

describe('paths that are not what they must be: one clean error naming the input', () => {
  it('venv-path naming an existing regular file', async () => {
    const workspace = workspaceFrom('passing');
    writeFileSync(join(workspace, 'notes.txt'), 'mine\n');
    const result = await run(workspace, { 'venv-path': 'notes.txt' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^venv-path "notes\.txt" is .*notes\.txt, an existing file, not a folder/,
    );
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });

  it.each(['~', '~/venvs/ci'])('venv-path %s (no shell expands ~ in inputs)', async (venvPath) => {
    const workspace = workspaceFrom('passing');
    const result = await run(workspace, { 'venv-path': venvPath });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^venv-path "~.*" starts with ~, which the action does not expand/,
    );
    expect(existsSync(join(workspace, '~'))).toBe(false);
  });

  it('working-directory outside the workspace', async () => {
    const workspace = workspaceFrom('passing');
    const result = await run(workspace, { 'working-directory': '../..' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^working-directory "\.\.\/\.\." resolves to .*, outside the repository \(GITHUB_WORKSPACE /,
    );
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });

  it('a FIFO matched by a requirements or cache-dependency-path glob is skipped, never read', async () => {
    const workspace = workspaceFrom('passing');
    mkdirSync(join(workspace, 'reqs'));
    writeFileSync(join(workspace, 'reqs/base.txt'), 'iniconfig\n');
    execFileSync('mkfifo', [join(workspace, 'reqs/pipe.txt')]);
    const result = await runAction({
      workspace,
      toolCache,
      timeoutMs: 120_000,
      env: { PYCI_CACHE_KEY_FILE: join(scratch, 'key') },
      inputs: {
        'python-version': '3.11',
        'python-source': 'tool-cache',
        'cache-dir': join(scratch, 'fifo-cache'),
        requirements: 'reqs/*.txt',
        'cache-dependency-path': 'reqs/*',
      },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs['cache-key']).toMatch(/^pyci-venv-/);
    // Named directly (no glob), it is an error naming the input instead of a hang.
    const direct = await run(workspace, { 'cache-dependency-path': 'reqs/pipe.txt' });
    expectCleanFailure(direct);
    expect(direct.errors[0]).toMatch(/^cache-dependency-path: "reqs\/pipe\.txt" matches no file/);
  });
});

it('reinstalls the project itself over a venv restored from cache, so tests see the new code', async () => {
  const workspace = join(scratch, 'cache-project');
  cpSync(join(repoRoot, '__tests__/fixtures/projects/cache-project'), workspace, {
    recursive: true,
  });
  const cacheDir = join(scratch, 'cache-project-cache');
  const first = await run(workspace, { cache: 'venv', 'cache-dir': cacheDir });
  expect(first.errors).toEqual([]);
  expect(first.outputs).toMatchObject({ 'cache-hit': 'false', passed: '1' });

  // The next commit breaks the project; its dependencies (the key) are unchanged.
  writeFileSync(
    join(workspace, 'src/greet/__init__.py'),
    'def greet(name):\n    return "BROKEN"\n',
  );
  const second = await run(workspace, { cache: 'venv', 'cache-dir': cacheDir });
  expect(second.outputs).toMatchObject({
    'cache-hit': 'true',
    'cache-key': first.outputs['cache-key'],
  });
  expect(second.stdout).toContain('reinstalling only the project itself');
  expect(second.exitCode).toBe(1);
  expect(second.outputs).toMatchObject({ failed: '1', passed: '0', deploy: 'false' });
}, 180_000);

it('a step that fails before its tests finish still says it does not deploy', async () => {
  const result = await run(workspaceFrom('missing-package'));
  expectCleanFailure(result);
  expect(result.outputs).toMatchObject({
    deploy: 'false',
    environment: '',
    'deploy-reason': 'not deploying: the step failed; see its error',
  });
});

it('report-only mode fails, and does not deploy, on JUnit files without test cases', async () => {
  const workspace = mkdtempSync(join(scratch, 'empty-junit-'));
  writeFileSync(
    join(workspace, 'empty.xml'),
    '<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="0"/></testsuites>',
  );
  const strict = await run(workspace, { 'junit-files': '*.xml' });
  expectCleanFailure(strict);
  expect(strict.errors[0]).toMatch(/^junit-files: the JUnit files hold no test cases/);
  expect(strict.outputs).toMatchObject({ tests: '0', deploy: 'false' });
  const allowed = await run(workspace, { 'junit-files': '*.xml', 'allow-no-tests': 'true' });
  expect(allowed.exitCode).toBe(0);
});

it('annotates at the path from the repository root when pytest rootdir is above working-directory', async () => {
  const result = await run(workspaceFrom('rootdir-monorepo'), {
    'working-directory': 'services/api',
  });
  expect(result.exitCode).toBe(1);
  const annotations = result.commands.filter(
    (line) => line.startsWith('::error ') && line.includes('file='),
  );
  expect(annotations).toHaveLength(1);
  expect(annotations[0]).toMatch(/file=services\/api\/tests\/test_api.py,line=6::/);
});
