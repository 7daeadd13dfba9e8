/**
 * The pytest stage and the process runner through the real bundle (issue #9): sharding that does
 * not depend on pytest's output format, runs that ran nothing, what the code under test can see
 * and leave behind, timeouts, the user's own --junitxml, and output volume.
 * Real Python 3.11 from a runner-style tool cache, real pip, real pytest.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction, type RunOptions, type RunResult } from '../../tools/harness.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-pytest-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const toolCache = join(scratch, 'tool-cache');
layoutToolCache(toolCache, [newestPatch('3.11')]);
/** One venv path and cache for every run: the first run installs pytest, the others restore it. */
const venv = join(scratch, 'venv');
const cacheDir = join(scratch, 'cache');

function run(
  workspace: string,
  inputs: Record<string, string> = {},
  options: Partial<RunOptions> = {},
): Promise<RunResult> {
  return runAction({
    workspace,
    toolCache,
    ...options,
    inputs: {
      'python-version': '3.11',
      'python-source': 'tool-cache',
      'install-project': 'false',
      'venv-path': venv,
      'cache-dir': cacheDir,
      ...inputs,
    },
  });
}

/** A fresh copy of a fixture project. */
function fixture(name: string): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  cpSync(join(repoRoot, '__tests__/fixtures/projects', name), dir, { recursive: true });
  return dir;
}

/** A project made of these files (path -> content). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'project-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** `classname::name` of every <testcase> of a JUnit file, read with a plain regex. */
function junitIds(path: string): string[] {
  const xml = readFileSync(path, 'utf8');
  return [...xml.matchAll(/<testcase\s[^>]*?classname="([^"]*)"[^>]*?name="([^"]*)"/g)].map(
    (m) => `${m[1]}::${m[2]}`,
  );
}

describe('shards do not depend on how pytest prints', () => {
  it.each(['addopts-verbose', 'addopts-quiet'])(
    '%s: both shards of 2 run tests and together cover the suite once',
    async (name) => {
      const full = await run(fixture(name));
      expect(full.errors).toEqual([]);
      expect(full.outputs.tests).toBe('6');
      const all = junitIds(full.outputs['junit-path']).sort();
      const shards: string[][] = [];
      for (const i of [1, 2]) {
        const shard = await run(fixture(name), { shard: `${i}/2` });
        expect(shard.errors).toEqual([]);
        expect(shard.exitCode).toBe(0);
        expect(Number(shard.outputs.tests)).toBeGreaterThan(0);
        shards.push(junitIds(shard.outputs['junit-path']));
      }
      expect(shards.flat().sort()).toEqual(all);
    },
    180_000,
  );
});

describe('a run that ran no tests never passes', () => {
  it('pytest-args: --collect-only fails and does not deploy', async () => {
    const result = await run(fixture('addopts-verbose'), { 'pytest-args': '--collect-only' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^pytest ran no tests .*--collect-only/);
    expect(result.outputs).toMatchObject({ tests: '0', deploy: 'false' });
  });

  it('a shard given tests that runs none fails even with allow-no-tests', async () => {
    const result = await run(fixture('addopts-quiet'), {
      'pytest-args': '--collect-only',
      shard: '1/2',
      'allow-no-tests': 'true',
    });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^Shard 1\/2 was given \d+ tests but pytest ran none/);
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });

  it('a shard of a suite with no tests fails like pytest exit 5', async () => {
    const result = await run(project({ 'tests/test_nothing.py': 'X = 1\n' }), { shard: '1/2' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^No tests were collected/);
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });
});

/** Every variable of the runner's that must not reach the code under test. */
const RUNNER_SECRETS = {
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
  ACTIONS_RESULTS_URL: 'https://results.example/',
  ACTIONS_CACHE_URL: 'https://cache.example/',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-value',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/',
};
const HIDDEN = [
  ...Object.keys(RUNNER_SECRETS),
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_EVENT_PATH',
  'INPUT_TOKEN',
  'INPUT_PYTEST-ARGS',
];

describe('the code under test cannot act on the step', () => {
  it('sees no step files, inputs or runtime tokens; its forged outputs are not there', async () => {
    const seen = join(scratch, 'seen-env.json');
    const workspace = project({
      'tests/test_forge.py': `import json, os

def test_forge():
    with open(${JSON.stringify(seen)}, "w") as handle:
        json.dump(dict(os.environ), handle)
    for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"):
        if os.environ.get(name):
            with open(os.environ[name], "a") as handle:
                handle.write("deploy=true\\nforged=yes\\n")
    assert False, "fails on purpose: the right decision is deploy=false"
`,
    });
    const result = await run(
      workspace,
      { token: 'ghs_notarealtoken0123456789' },
      { env: { ...RUNNER_SECRETS, DATABASE_URL: 'postgres://localhost/test' } },
    );
    expect(result.exitCode).toBe(1);
    const env = JSON.parse(readFileSync(seen, 'utf8')) as Record<string, string>;
    for (const name of HIDDEN) expect(env).not.toHaveProperty([name]);
    // The user's own variables and harmless context still pass.
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://localhost/test',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_ACTIONS: 'true',
      CI: 'true',
    });
    expect(env.PATH).toBeTruthy();
    expect(result.outputs).toMatchObject({ deploy: 'false', failed: '1' });
    expect(result.outputs).not.toHaveProperty(['forged']);
    expect(result.env).not.toHaveProperty(['forged']);
  });

  it('a daemon a test leaves behind dies with pytest and cannot write after it', async () => {
    const marks = mkdtempSync(join(scratch, 'daemon-'));
    const workspace = project({
      'tests/test_daemon.py': `import os, sys, time

MARKS = ${JSON.stringify(marks)}

def test_leaves_a_daemon():
    first = os.fork()
    if first == 0:
        if os.fork() == 0:
            # The grandchild: reparented, still holding pytest's stdout.
            with open(os.path.join(MARKS, "pid"), "w") as handle:
                handle.write(str(os.getpid()))
            time.sleep(4)
            os.write(1, b"\\n::warning::written by a daemon after pytest\\n")
            with open(os.path.join(MARKS, "woke"), "w") as handle:
                handle.write("alive")
            os._exit(0)
        os._exit(0)
    os.waitpid(first, 0)
    for _ in range(200):
        if os.path.exists(os.path.join(MARKS, "pid")):
            break
        time.sleep(0.05)
`,
    });
    const started = Date.now();
    const result = await run(workspace, { 'pytest-args': '-s' }, { timeoutMs: 60_000 });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    await new Promise((done) => setTimeout(done, 6000));
    expect(readFileSync(join(marks, 'pid'), 'utf8')).toMatch(/^\d+$/);
    expect(() => readFileSync(join(marks, 'woke'))).toThrow();
    expect(result.stdout).not.toContain('written by a daemon');
  }, 60_000);
});

it('a requirements file name with a newline cannot issue a workflow command', async () => {
  const workspace = project({
    'tests/test_ok.py': 'def test_ok():\n    assert True\n',
    'req\n::warning::pwned.txt': '',
  });
  const result = await run(workspace, { requirements: 'req*', cache: 'none' });
  expect(result.exitCode).toBe(0);
  expect(result.commands.filter((line) => line.includes('pwned'))).toEqual([]);
  expect(result.warnings).toEqual([]);
  // The name is still in the log, escaped on one line.
  expect(result.stdout).toContain('req%0A::warning::pwned.txt');
});

it('a cancelled step passes the signal on to pytest, kills what is left and does not deploy', async () => {
  const marks = mkdtempSync(join(scratch, 'cancel-'));
  const pidFile = join(marks, 'pid');
  const workspace = project({
    'tests/test_slow.py': `import os, time

def test_waits_to_be_cancelled():
    with open(${JSON.stringify(pidFile)}, "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(120)
`,
  });
  const started = Date.now();
  const result = await run(
    workspace,
    {},
    {
      timeoutMs: 100_000,
      // As the runner cancels a step: a signal to node once the test is running.
      onStart: (pid) => {
        const poll = setInterval(() => {
          if (!existsSync(pidFile)) return;
          clearInterval(poll);
          process.kill(pid, 'SIGTERM');
        }, 100);
      },
    },
  );
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(result.exitCode).toBe(143);
  expect(result.errors).toEqual(['The step was cancelled (SIGTERM); it does not deploy.']);
  expect(result.outputs).toMatchObject({ deploy: 'false' });
  const pytestPid = Number(readFileSync(pidFile, 'utf8'));
  expect(() => process.kill(pytestPid, 0)).toThrow(); // pytest is gone
}, 120_000);

describe('timeout-minutes and programs that do not let go', () => {
  it('a test that sleeps past timeout-minutes fails the step clearly', async () => {
    const workspace = project({
      'tests/test_sleep.py': 'import time\n\ndef test_sleeps():\n    time.sleep(120)\n',
    });
    const started = Date.now();
    const result = await run(workspace, { 'timeout-minutes': '0.05' }, { timeoutMs: 100_000 });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^pytest did not finish within 0\.05 minutes \(timeout-minutes\)/,
    );
    expect(result.outputs).toMatchObject({ deploy: 'false' });
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  // One bundle run; __tests__/config.test.ts covers the other bad values.
  it.each([['1e3']])(
    'refuses timeout-minutes "%s" with one error naming the input',
    async (value) => {
      const result = await run(fixture('addopts-verbose'), { 'timeout-minutes': value });
      expectCleanFailure(result);
      expect(result.errors[0]).toMatch(
        /^timeout-minutes is ".*", which is not a number of minutes/,
      );
      expect(result.outputs).toMatchObject({ deploy: 'false' });
    },
  );

  it('a child that escapes the process group and holds stdout does not keep the step alive', async () => {
    const pidFile = join(scratch, 'escaped.pid');
    const workspace = project({
      'tests/test_escape.py': `import subprocess

def test_escapes():
    child = subprocess.Popen(["sleep", "90"], start_new_session=True)
    with open(${JSON.stringify(pidFile)}, "w") as handle:
        handle.write(str(child.pid))
`,
    });
    const started = Date.now();
    try {
      const result = await run(workspace, { 'pytest-args': '-s' }, { timeoutMs: 60_000 });
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 90_000);
});

describe("the user's own --junitxml", () => {
  it.each([['--junitxml=reports/out.xml'], ['--junit-xml reports/out.xml']])(
    '%s: a passing suite passes and the report is that file',
    async (args) => {
      const workspace = fixture('addopts-verbose');
      const result = await run(workspace, { 'pytest-args': args });
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.outputs).toMatchObject({
        tests: '6',
        passed: '6',
        'junit-path': join(workspace, 'reports/out.xml'),
      });
      // xunit1 still: file and line on every test case.
      expect(readFileSync(join(workspace, 'reports/out.xml'), 'utf8')).toMatch(
        /<testcase [^>]*file="tests\/test_a.py" line="0"/,
      );
    },
  );

  it.each([
    ['-o junit_family=xunit2'],
    ['-ojunit_family=xunit2'],
    ['--override-ini=junit_family=legacy'],
  ])('refuses %s with one error naming pytest-args', async (args) => {
    const result = await run(fixture('addopts-verbose'), { 'pytest-args': args });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^pytest-args: ".*" overrides junit_family/);
    expect(result.outputs).toMatchObject({ deploy: 'false' });
  });
});

it('a test printing 300 MB does not grow the action past 200 MB of memory', async () => {
  const workspace = project({
    'tests/test_loud.py': `import os

def test_loud():
    block = (b"x" * 1023 + b"\\n") * 1024
    for _ in range(300):
        os.write(1, block)
`,
  });
  const result = await run(
    workspace,
    { 'pytest-args': '-s' },
    { measureMemory: true, timeoutMs: 120_000 },
  );
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.peakRssKb).toBeGreaterThan(0);
  expect(result.peakRssKb!).toBeLessThan(200 * 1024);
}, 150_000);
