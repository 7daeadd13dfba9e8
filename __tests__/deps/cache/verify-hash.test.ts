/**
 * Verifying restored venvs with real interpreters (and our one-process pip check against pip's
 * own, on real venvs), and hashing the files of the key.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFiles } from '../../../src/deps/cache/hash-files.js';
import { collectKeyFiles } from '../../../src/deps/cache/key-files.js';
import { parseVenvConfig, probeVenv, verifyRestoredVenv } from '../../../src/deps/cache/verify.js';
import { venvPython } from '../../../src/deps/venv.js';
import { InputError } from '../../../src/runner/errors.js';
import { makeVenv, systemPython } from '../../support/venv-fixtures.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pyci-verify-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A venv whose base interpreter is reached through a directory we own and can remove. */
function venvOnRemovableInterpreter(name: string): { venv: string; baseDir: string } {
  const baseDir = join(scratch, name, 'base', 'bin');
  mkdirSync(baseDir, { recursive: true });
  symlinkSync(systemPython().executable, join(baseDir, 'python3'));
  const venv = join(scratch, name, '.venv');
  makeVenv(join(baseDir, 'python3'), venv);
  return { venv, baseDir };
}

describe('verifyRestoredVenv', () => {
  test('a sound venv passes', async () => {
    const { venv } = venvOnRemovableInterpreter('sound');
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toBeUndefined();
  });

  test('a venv whose interpreter was removed fails, naming the missing home', async () => {
    const { venv, baseDir } = venvOnRemovableInterpreter('removed');
    rmSync(join(scratch, 'removed', 'base'), { recursive: true });
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toBe(
      `its base interpreter's directory ${baseDir} (pyvenv.cfg "home") does not exist`,
    );
  });

  test('a venv whose interpreter executable is gone (home still there) fails because it cannot run', async () => {
    const { venv, baseDir } = venvOnRemovableInterpreter('no-exe');
    unlinkSync(join(baseDir, 'python3'));
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toMatch(
      /^its interpreter .*\/bin\/python does not run: ENOENT/,
    );
  });

  test('another interpreter version fails, naming both', async () => {
    const { venv } = venvOnRemovableInterpreter('version');
    await expect(verifyRestoredVenv(venv, '3.11.0')).resolves.toBe(
      `its interpreter is Python ${systemPython().version}, not 3.11.0`,
    );
  });

  test('no pyvenv.cfg fails', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    await expect(verifyRestoredVenv(empty, '3.11.7')).resolves.toMatch(
      /pyvenv\.cfg cannot be read \(ENOENT\)/,
    );
  });

  test('broken requirements fail through pip check (the pip the venv was made with)', async () => {
    const venv = join(scratch, 'pipcheck', '.venv');
    makeVenv(systemPython().executable, venv, { withPip: true });
    // An installed distribution whose declared dependency is missing: what a half-restored venv looks like to pip.
    fakeDistribution(venv, 'halfway', ['pyci-missing-dependency']);
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toMatch(
      /^"pip check" found broken requirements: .*halfway 1\.0 requires pyci-missing-dependency, which is not installed/,
    );
    // The bundled pip (no unsupported-wheel check) reads it the same way.
    await expectAgreement(venvPython(venv));
  });

  test("without pip's vendored packaging, python -m pip check decides", async () => {
    const venv = join(scratch, 'fallback', '.venv');
    makeVenv(systemPython().executable, venv);
    // A stand-in `pip` (no _vendor) whose `python -m pip check` fails the way pip check does:
    // the only way to see that the fallback is what runs.
    const pip = join(sitePackages(venv), 'pip');
    mkdirSync(pip);
    writeFileSync(join(pip, '__init__.py'), '__version__ = "0.0"\n');
    writeFileSync(
      join(pip, '__main__.py'),
      'import sys\nprint("stand-in pip: " + " ".join(sys.argv[1:]) + " found something broken")\nsys.exit(1)\n',
    );
    const probe = await probeVenv(venvPython(venv));
    expect(probe.status).toBe('unavailable');
    expect(probe.problems[0]).toMatch(/cannot import pip's vendored packaging/);
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toBe(
      '"pip check" found broken requirements: stand-in pip: check found something broken',
    );
  });

  test('pyvenv.cfg parsing', () => {
    expect(
      parseVenvConfig('home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n'),
    ).toEqual({
      home: '/usr/bin',
      'include-system-site-packages': 'false',
      version: '3.11.7',
    });
  });
});

/**
 * One real venv with the local index's pip (>= 24.2, which also checks wheel tags) and pytest,
 * broken in each way pip check reports; `pip check` itself is the oracle every time.
 */
describe('the one-process dependency check agrees with pip check', () => {
  let venv: string;
  let python: string;
  beforeAll(() => {
    venv = join(scratch, 'agree', '.venv');
    makeVenv(systemPython().executable, venv, { withPip: true });
    python = venvPython(venv);
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--upgrade', 'pip', 'pytest'], {
      stdio: 'pipe',
      env: { ...process.env, PIP_RETRIES: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
  }, 120_000);

  test('a healthy venv: both find nothing, and the venv verifies', async () => {
    expect(pipCheck(python)).toEqual({ ok: true, lines: [] });
    await expectAgreement(python);
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toBeUndefined();
  });

  test('version conflicts; markers hold or not; requirements behind extras are ignored', async () => {
    const dist = fakeDistribution(venv, 'pyci-pins', [
      'pytest<2',
      'pluggy>=99; python_version >= "3"',
      'iniconfig',
      'pyci-only-with-extra; extra == "fancy"',
      'pyci-only-on-python2; python_version < "3"',
    ]);
    try {
      const expected = pipCheck(python);
      expect(expected.lines).toEqual([
        expect.stringMatching(
          /^pyci-pins 1\.0 has requirement pluggy>=99; python_version >= "3", but you have pluggy \d/,
        ),
        expect.stringMatching(/^pyci-pins 1\.0 has requirement pytest<2, but you have pytest \d/),
      ]);
      await expectAgreement(python);
      await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toMatch(
        /^"pip check" found broken requirements: pyci-pins 1\.0 has requirement pluggy>=99.* \| pyci-pins 1\.0 has requirement pytest<2, but you have pytest \d/,
      );
    } finally {
      rmSync(dist, { recursive: true });
    }
  });

  test('a legacy egg-info with requires.txt sections', async () => {
    const eggInfo = join(sitePackages(venv), 'pyci_legacy-2.0-py3.11.egg-info');
    mkdirSync(eggInfo);
    writeFileSync(
      join(eggInfo, 'PKG-INFO'),
      'Metadata-Version: 1.1\nName: pyci-legacy\nVersion: 2.0\n',
    );
    writeFileSync(
      join(eggInfo, 'requires.txt'),
      'pytest>=1\n\n[:python_version >= "3"]\npyci-legacy-missing\n\n[Some_Extra]\npyci-legacy-extra\n',
    );
    try {
      expect(pipCheck(python).lines).toEqual([
        'pyci-legacy 2.0 requires pyci-legacy-missing, which is not installed.',
      ]);
      await expectAgreement(python);
    } finally {
      rmSync(eggInfo, { recursive: true });
    }
  });

  test('a wheel built for another platform', async () => {
    const dist = fakeDistribution(venv, 'pyci-foreign', [], 'Tag: cp27-cp27m-win32\n');
    try {
      expect(pipCheck(python).lines).toEqual([
        'pyci-foreign 1.0 is not supported on this platform',
      ]);
      await expectAgreement(python);
    } finally {
      rmSync(dist, { recursive: true });
    }
  });

  test('unreadable metadata fails both', async () => {
    const dist = fakeDistribution(venv, 'pyci-garbled', ['this is !! not a requirement']);
    try {
      expect(pipCheck(python).ok).toBe(false);
      const probe = await probeVenv(python);
      expect(probe.status).toBe('broken');
      expect(probe.problems).toEqual([
        expect.stringMatching(/^Error parsing dependencies of pyci-garbled: /),
      ]);
    } finally {
      rmSync(dist, { recursive: true });
    }
  });

  test('a dependency uninstalled for real', async () => {
    execFileSync(python, ['-m', 'pip', 'uninstall', '--yes', '--quiet', 'pluggy'], {
      stdio: 'pipe',
    });
    expect(pipCheck(python).lines).toEqual([
      expect.stringMatching(/^pytest \S+ requires pluggy, which is not installed\.$/),
    ]);
    await expectAgreement(python);
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toMatch(
      /^"pip check" found broken requirements: pytest \S+ requires pluggy, which is not installed\.$/,
    );
  });
});

function sitePackages(venv: string): string {
  const [major, minor] = systemPython().version.split('.');
  return join(venv, 'lib', `python${major}.${minor}`, 'site-packages');
}

/** A `<name>-1.0.dist-info` with the given Requires-Dist lines (and WHEEL tags); returns its path. */
function fakeDistribution(
  venv: string,
  name: string,
  requires: string[],
  wheelTags?: string,
): string {
  const distInfo = join(sitePackages(venv), `${name.replace(/-/g, '_')}-1.0.dist-info`);
  mkdirSync(distInfo, { recursive: true });
  writeFileSync(
    join(distInfo, 'METADATA'),
    `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n${requires.map((r) => `Requires-Dist: ${r}\n`).join('')}`,
  );
  writeFileSync(join(distInfo, 'RECORD'), '');
  if (wheelTags)
    writeFileSync(
      join(distInfo, 'WHEEL'),
      `Wheel-Version: 1.0\nRoot-Is-Purelib: true\n${wheelTags}`,
    );
  return distInfo;
}

/** `python -m pip check`: its verdict and the lines it printed, bar the all-clear. */
function pipCheck(python: string): { ok: boolean; lines: string[] } {
  const result = spawnSync(python, ['-m', 'pip', 'check'], {
    encoding: 'utf8',
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  const lines = result.stdout
    .split('\n')
    .filter((line) => line && line !== 'No broken requirements found.');
  return { ok: result.status === 0, lines };
}

async function expectAgreement(python: string): Promise<void> {
  const expected = pipCheck(python);
  const probe = await probeVenv(python);
  expect({ ok: probe.status === 'ok', lines: probe.problems }).toEqual(expected);
}

describe('hashFiles', () => {
  test('sha256 of each file, paths relative to the working directory, duplicates once', async () => {
    const dir = join(scratch, 'project');
    mkdirSync(join(dir, 'req'), { recursive: true });
    writeFileSync(join(dir, 'requirements.txt'), '-r req/base.txt\n');
    writeFileSync(join(dir, 'req', 'base.txt'), 'numpy\n');
    const outside = join(scratch, 'constraints.txt');
    writeFileSync(outside, 'numpy<3\n');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const hashed = await hashFiles(
      ['requirements.txt', join(dir, 'req/base.txt'), 'req/../requirements.txt', outside],
      dir,
    );
    expect(hashed).toEqual([
      { path: 'requirements.txt', sha256: sha('-r req/base.txt\n') },
      { path: 'req/base.txt', sha256: sha('numpy\n') },
      { path: outside, sha256: sha('numpy<3\n') },
    ]);
  });

  test('a missing file is an InputError naming it and the inputs to check', async () => {
    const missing = hashFiles(['nope.txt'], scratch);
    await expect(missing).rejects.toThrow(InputError);
    await expect(hashFiles(['nope.txt'], scratch)).rejects.toThrow(
      `Cannot read ${join(scratch, 'nope.txt')} to build the cache key (ENOENT). Check requirements and cache-dependency-path`,
    );
  });
});

describe('collectKeyFiles', () => {
  test('requirement files, present project files and cache-dependency-path globs, unique and sorted', () => {
    const dir = join(scratch, 'keyfiles');
    mkdirSync(join(dir, 'constraints'), { recursive: true });
    for (const name of [
      'pyproject.toml',
      'uv.lock',
      'requirements.txt',
      'constraints/a.txt',
      'constraints/b.txt',
      'constraints/skip.txt',
    ]) {
      writeFileSync(join(dir, name), name);
    }
    const files = collectKeyFiles({
      workingDirectory: dir,
      requirementFiles: ['requirements.txt', join(dir, 'constraints/a.txt')],
      cacheDependencyPath: ['constraints/*.txt', '!constraints/skip.txt', '# a comment', ''],
    });
    expect(files).toEqual(
      [
        'constraints/a.txt',
        'constraints/b.txt',
        'pyproject.toml',
        'requirements.txt',
        'uv.lock',
      ].map((f) => join(dir, f)),
    );
  });

  test('a pattern that matches nothing is an InputError naming the input and the pattern', () => {
    expect(() =>
      collectKeyFiles({
        workingDirectory: scratch,
        requirementFiles: [],
        cacheDependencyPath: ['lock/*.txt'],
      }),
    ).toThrow(/^cache-dependency-path: "lock\/\*\.txt" matches no file under /);
  });
});
