/** Verifying restored venvs with real interpreters, and hashing the files of the key. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFiles } from '../../src/deps/cache/hash-files.js';
import { collectKeyFiles } from '../../src/deps/cache/key-files.js';
import { parseVenvConfig, verifyRestoredVenv } from '../../src/deps/cache/verify.js';
import { InputError } from '../../src/runner/errors.js';
import { makeVenv, systemPython } from './helpers.js';

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

  test('broken requirements fail through pip check', async () => {
    const venv = join(scratch, 'pipcheck', '.venv');
    makeVenv(systemPython().executable, venv, { withPip: true });
    // An installed distribution whose declared dependency is missing: what a half-restored venv looks like to pip.
    const [major, minor] = systemPython().version.split('.');
    const distInfo = join(
      venv,
      'lib',
      `python${major}.${minor}`,
      'site-packages',
      'halfway-1.0.dist-info',
    );
    mkdirSync(distInfo, { recursive: true });
    writeFileSync(
      join(distInfo, 'METADATA'),
      'Metadata-Version: 2.1\nName: halfway\nVersion: 1.0\nRequires-Dist: pyci-missing-dependency\n',
    );
    writeFileSync(join(distInfo, 'RECORD'), '');
    await expect(verifyRestoredVenv(venv, systemPython().version)).resolves.toMatch(
      /^"pip check" found broken requirements: .*halfway 1\.0 requires pyci-missing-dependency, which is not installed/,
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
  test('requirement files, present project files and cache-dependency-path globs, unique and sorted', async () => {
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
    const files = await collectKeyFiles({
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

  test('a pattern that matches nothing is an InputError naming the input and the pattern', async () => {
    await expect(
      collectKeyFiles({
        workingDirectory: scratch,
        requirementFiles: [],
        cacheDependencyPath: ['lock/*.txt'],
      }),
    ).rejects.toThrow(/^cache-dependency-path: "lock\/\*\.txt" matches no file under /);
  });
});
