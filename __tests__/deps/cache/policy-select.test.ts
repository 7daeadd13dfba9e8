/** Pure decisions: when to save, which backend, the OS facts in the key. */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubCacheBackend } from '../../../src/deps/cache/github.js';
import { LocalCacheBackend } from '../../../src/deps/cache/local.js';
import { keyArchitecture, osVersionOf, runnerOsFacts } from '../../../src/deps/cache/os-facts.js';
import { parseOsRelease, readOsRelease } from '../../../src/runner/os-release.js';
import { isTrustedEvent, mayShareCache } from '../../../src/deps/cache/policy.js';
import { buildRunEvent, UNSAFE_EVENTS } from '../../../src/runner/event.js';
import {
  chooseBackend,
  defaultCacheDir,
  githubCacheConfigured,
} from '../../../src/deps/cache/select.js';

describe('mayShareCache', () => {
  it('refuses pull request saves only where the store has no branch scopes', () => {
    expect(mayShareCache({ name: 'pull_request' }, true).save).toBe(true);
    const local = mayShareCache({ name: 'pull_request' }, false);
    expect(local.save).toBe(false);
    expect(local.reason).toMatch(/no branch scopes/);
    expect(mayShareCache({ name: 'push', ref: 'refs/heads/main' }, false).save).toBe(true);
  });

  test.each([
    ['push', 'refs/heads/main', 'branch', true],
    ['pull_request', 'refs/pull/7/merge', 'branch', true],
    ['schedule', 'refs/heads/main', 'branch', true],
    ['workflow_dispatch', 'refs/heads/dev', 'branch', true],
    ['pull_request_target', 'refs/heads/main', 'branch', false],
    ['workflow_run', 'refs/heads/main', 'branch', false],
    ['release', 'refs/tags/v1.0.0', 'tag', false],
    ['push', 'refs/tags/v1.0.0', 'tag', false],
    ['push', 'refs/tags/v1.0.0', undefined, false],
    ['workflow_dispatch', 'refs/heads/x', 'tag', false],
  ] as const)('%s on %s (ref type %s) -> save %s', (name, ref, refType, save) => {
    const decision = mayShareCache({ name, ref, refType });
    expect(decision.save).toBe(save);
    expect(decision.reason).toContain(save ? 'allowed' : 'not saving');
  });

  test('each refusal says why', () => {
    expect(mayShareCache({ name: 'pull_request_target' }).reason).toMatch(/fork's code.*poison/);
    expect(mayShareCache({ name: 'workflow_run' }).reason).toMatch(/cache-poisoning/);
    expect(mayShareCache({ name: 'push', ref: 'refs/tags/v2' }).reason).toMatch(
      /^not saving the cache for tag v2: /,
    );
  });

  test('judges the event the one reader builds, as the gate does', () => {
    const tagPush = buildRunEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1' }, {});
    expect(mayShareCache(tagPush).save).toBe(false);
    const mainPush = buildRunEvent(
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' },
      {},
    );
    expect(mayShareCache(mainPush).save).toBe(true);
  });

  test.each([...UNSAFE_EVENTS])(
    'never saves on %s, an event the gate never deploys from',
    (name) => {
      expect(mayShareCache({ name, ref: 'refs/heads/main', refType: 'branch' }).save).toBe(false);
      expect(isTrustedEvent({ name })).toBe(false);
    },
  );
});

describe('mayShareCache with cache-save', () => {
  const payload = { repository: { default_branch: 'trunk' } };
  const event = (name: string, ref: string) =>
    buildRunEvent({ GITHUB_EVENT_NAME: name, GITHUB_REF: ref }, payload);

  test.each([
    ['push', 'refs/heads/trunk', true],
    ['schedule', 'refs/heads/trunk', true],
    ['workflow_dispatch', 'refs/heads/trunk', true],
    ['push', 'refs/heads/main', false],
    ['push', 'refs/heads/feature/trunk', false],
    ['pull_request', 'refs/pull/7/merge', false],
  ] as const)('default-branch: %s on %s -> save %s', (name, ref, save) => {
    const decision = mayShareCache(event(name, ref), true, 'default-branch');
    expect(decision.save).toBe(save);
    expect(decision.reason).toMatch(
      save
        ? /^saving the cache on the default branch trunk$/
        : /cache-save is default-branch .* not trunk; it restores what runs on trunk saved/,
    );
  });

  test('default-branch without a default branch in the payload saves, and says why', () => {
    const decision = mayShareCache(
      buildRunEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/x' }, {}),
      true,
      'default-branch',
    );
    expect(decision).toEqual({
      save: true,
      reason: expect.stringMatching(/does not name the repository's default branch/),
    });
  });

  test('never saves nothing; the refusals for unsafe events come first whatever the policy', () => {
    expect(mayShareCache(event('push', 'refs/heads/trunk'), true, 'never')).toEqual({
      save: false,
      reason: 'not saving the cache: cache-save is never',
    });
    for (const policy of ['always', 'default-branch'] as const) {
      expect(mayShareCache(event('workflow_run', 'refs/heads/trunk'), true, policy).reason).toMatch(
        /cache-poisoning/,
      );
      expect(mayShareCache(event('push', 'refs/tags/v1'), true, policy).save).toBe(false);
    }
  });
});

describe('chooseBackend', () => {
  const v2 = {
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RESULTS_URL: 'https://results/',
    ACTIONS_RUNTIME_TOKEN: 't',
  };
  const v1 = { ACTIONS_CACHE_URL: 'https://cache/', ACTIONS_RUNTIME_TOKEN: 't' };

  test('none means no cache at all', () => {
    expect(chooseBackend({ mode: 'none', env: v2 })).toBeUndefined();
  });

  test.each(['venv', 'pip'] as const)('%s: GitHub when the cache service is configured', (mode) => {
    expect(chooseBackend({ mode, env: v2 })).toBeInstanceOf(GithubCacheBackend);
    expect(chooseBackend({ mode, env: v1 })).toBeInstanceOf(GithubCacheBackend);
  });

  test('an explicit cache-dir wins, resolved to an absolute path', () => {
    const backend = chooseBackend({ mode: 'venv', cacheDir: 'rel/cache', env: v2 });
    expect(backend).toBeInstanceOf(LocalCacheBackend);
    expect((backend as LocalCacheBackend).directory).toBe(join(process.cwd(), 'rel/cache'));
  });

  test('the local default directory otherwise', () => {
    const backend = chooseBackend({
      mode: 'venv',
      env: { RUNNER_TOOL_CACHE: '/runner/_work/_tool' },
    });
    expect((backend as LocalCacheBackend).directory).toBe('/runner/_work/pyci-cache');
  });

  test.each([
    [{}, false],
    [{ ACTIONS_RESULTS_URL: 'u', ACTIONS_CACHE_SERVICE_V2: 'true' }, false], // no token
    [{ ...v2 }, true],
    [{ ...v1 }, true],
    [{ ACTIONS_RESULTS_URL: 'u', ACTIONS_RUNTIME_TOKEN: 't' }, false], // v1 needs ACTIONS_CACHE_URL
    [{ ...v2, GITHUB_SERVER_URL: 'https://ghes.example.com' }, false], // GHES is v1 only
    [{ ...v2, ...v1, GITHUB_SERVER_URL: 'https://ghes.example.com' }, true],
    [{ ...v2, GITHUB_SERVER_URL: 'https://acme.ghe.com' }, true],
  ])('githubCacheConfigured(%j) is %s', (env, configured) => {
    expect(githubCacheConfigured(env)).toBe(configured);
  });

  test('default directory: next to the tool cache, else XDG, else ~/.cache', () => {
    expect(defaultCacheDir({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' })).toBe('/opt/pyci-cache');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/pyci');
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'pyci'));
  });
});

describe('OS facts', () => {
  test('os-release: distro id and version, quotes removed', () => {
    const text =
      'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n# comment\nPRETTY_NAME=\'Ubuntu 24.04 LTS\'\n';
    expect(parseOsRelease(text)).toEqual({
      NAME: 'Ubuntu',
      VERSION_ID: '24.04',
      ID: 'ubuntu',
      PRETTY_NAME: 'Ubuntu 24.04 LTS',
    });
    expect(osVersionOf('linux', '6.8.0-1', () => parseOsRelease(text))).toBe('ubuntu24.04');
    expect(osVersionOf('linux', '6.8.0-1', () => parseOsRelease('ID=arch\n'))).toBe('arch');
    expect(osVersionOf('linux', '6.8.0-1', () => ({}))).toBe('kernel6.8.0-1');
    expect(osVersionOf('darwin', '23.6.0', () => ({}))).toBe('darwin23');
    expect(osVersionOf('win32', '10.0.20348', () => ({}))).toBe('10.0.20348');
  });

  test('runner facts prefer what the runner says, and read this machine otherwise', () => {
    expect(runnerOsFacts({ RUNNER_OS: 'Linux', RUNNER_ARCH: 'ARM64' })).toMatchObject({
      os: 'Linux',
      arch: 'arm64',
    });
    const here = runnerOsFacts({});
    expect(here.os).toBe('Linux');
    expect(here.osVersion).toMatch(/^[a-z]+[0-9.]*$/);
    expect(here.arch).toBe(process.arch);
  });

  test('os-release: /etc first, /usr/lib next, {} when neither exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'os-release-'));
    try {
      const etc = join(dir, 'etc-os-release');
      const lib = join(dir, 'lib-os-release');
      writeFileSync(lib, 'ID=debian\nVERSION_ID="12"\n');
      expect(readOsRelease([etc, lib])).toEqual({ ID: 'debian', VERSION_ID: '12' });
      writeFileSync(etc, 'ID=ubuntu\n');
      expect(readOsRelease([etc, lib])).toEqual({ ID: 'ubuntu' });
      expect(readOsRelease([join(dir, 'missing')])).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Cache keys must not change: every name the runner or Node reports keeps the spelling the key
  // had before normalizeArchitecture was used (the lower case of it).
  test.each([
    ['X64', 'x64'],
    ['ARM64', 'arm64'],
    ['X86', 'x86'],
    ['ARM', 'arm'],
    ['x64', 'x64'],
    ['arm64', 'arm64'],
    ['RISCV64', 'riscv64'],
  ])('RUNNER_ARCH %s is %s in the key', (runnerArch, key) => {
    expect(keyArchitecture(runnerArch, 'x64')).toBe(key);
    expect(runnerOsFacts({ RUNNER_ARCH: runnerArch }).arch).toBe(key);
  });

  test.each(['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'loong64', 's390x', 'ppc64'])(
    "without RUNNER_ARCH, Node's %s is kept as is",
    (nodeArch) => {
      expect(keyArchitecture(undefined, nodeArch)).toBe(nodeArch);
      expect(keyArchitecture('', nodeArch)).toBe(nodeArch);
    },
  );
});
