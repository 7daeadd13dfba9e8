/**
 * tools/toolcache.ts finds the machine's interpreters on disk, in a runner tool cache (GitHub's
 * runners after actions/setup-python) and in pyenv's versions/ (our machines), without running
 * anything: fake installs here are plain files.
 */
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  layoutToolCache,
  machineArch,
  machinePythons,
  newestPatch,
} from '../../tools/toolcache.js';

const arch = machineArch();
let root: string;
let runnerCache: string;
let pyenv: string;

/** `bin/python` under `prefix`: enough for the finder, which never runs it. */
function fakeInstall(prefix: string): string {
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  writeFileSync(join(prefix, 'bin', 'python'), '');
  return prefix;
}

function inRunnerCache(version: string, complete = true): string {
  const prefix = fakeInstall(join(runnerCache, 'Python', version, arch));
  if (complete) writeFileSync(join(runnerCache, 'Python', version, `${arch}.complete`), '');
  return prefix;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pyci-toolcache-test-'));
  runnerCache = join(root, 'hostedtoolcache');
  pyenv = join(root, 'pyenv');
  inRunnerCache('3.12.3');
  inRunnerCache('3.10.14');
  inRunnerCache('3.13.1', false); // no marker: an interrupted install
  fakeInstall(join(pyenv, 'versions', '3.9.18'));
  fakeInstall(join(pyenv, 'versions', '3.12.3'));
  fakeInstall(join(pyenv, 'versions', '3.11.7'));
  mkdirSync(join(pyenv, 'versions', '3.13.0')); // no bin/python
  fakeInstall(join(pyenv, 'versions', 'miniconda3-latest'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = () => ({ RUNNER_TOOL_CACHE: runnerCache, PYENV_ROOT: pyenv, PATH: '' });

describe('machinePythons', () => {
  it('merges the runner tool cache and pyenv, oldest first, the tool cache winning a tie', () => {
    expect(machinePythons(env())).toEqual([
      { version: '3.9.18', prefix: join(pyenv, 'versions', '3.9.18'), origin: 'pyenv' },
      {
        version: '3.10.14',
        prefix: join(runnerCache, 'Python', '3.10.14', arch),
        origin: 'tool-cache',
      },
      { version: '3.11.7', prefix: join(pyenv, 'versions', '3.11.7'), origin: 'pyenv' },
      {
        version: '3.12.3',
        prefix: join(runnerCache, 'Python', '3.12.3', arch),
        origin: 'tool-cache',
      },
    ]);
  });

  it('works with only one of the two sources', () => {
    expect(
      machinePythons({ RUNNER_TOOL_CACHE: runnerCache, PYENV_ROOT: join(root, 'none') }).map(
        (p) => p.version,
      ),
    ).toEqual(['3.10.14', '3.12.3']);
    expect(machinePythons({ PYENV_ROOT: pyenv }).map((p) => p.origin)).toEqual([
      'pyenv',
      'pyenv',
      'pyenv',
    ]);
  });
});

describe('with the fake machine as process.env', () => {
  const saved = { ...process.env };
  beforeEach(() => Object.assign(process.env, env()));
  afterEach(() => {
    for (const name of ['RUNNER_TOOL_CACHE', 'PYENV_ROOT'])
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
  });

  it('newestPatch picks the newest release of a minor line, or says what the machine has', () => {
    expect(newestPatch('3.12')).toBe('3.12.3');
    expect(newestPatch('3.11')).toBe('3.11.7');
    expect(() => newestPatch('3.8')).toThrow(
      'This machine has no Python 3.8.x (it has 3.9.18, 3.10.14, 3.11.7, 3.12.3)',
    );
  });

  it('layoutToolCache links each version to where the machine has it, with its marker', () => {
    const dir = join(root, 'laid-out');
    expect(layoutToolCache(dir, ['3.11.7', '3.12.3'])).toEqual(['3.11.7', '3.12.3']);
    expect(readlinkSync(join(dir, 'Python', '3.11.7', arch))).toBe(
      join(pyenv, 'versions', '3.11.7'),
    );
    expect(readlinkSync(join(dir, 'Python', '3.12.3', arch))).toBe(
      join(runnerCache, 'Python', '3.12.3', arch),
    );
    expect(existsSync(join(dir, 'Python', '3.12.3', `${arch}.complete`))).toBe(true);
    expect(() => layoutToolCache(dir, ['3.13.1'])).toThrow(/no Python 3\.13\.1/);
  });

  it('layoutToolCache leaves the runner tool cache itself alone when asked to lay it out', () => {
    expect(layoutToolCache(runnerCache, ['3.12.3'])).toEqual(['3.12.3']);
    expect(existsSync(join(runnerCache, 'Python', '3.12.3', arch, 'bin', 'python'))).toBe(true);
  });
});
