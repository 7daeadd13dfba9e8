/** The hard-link snapshot a save archives while tests run in the original. */
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkSnapshot } from '../../src/deps/snapshot.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-snapshot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('linkSnapshot', () => {
  test('holds the files as they were; later additions, deletions and replacements stay out', async () => {
    const venv = join(scratch, 'venv');
    mkdirSync(join(venv, 'lib/site'), { recursive: true });
    writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /x\n');
    writeFileSync(join(venv, 'lib/site/mod.py'), 'A = 1\n');
    writeFileSync(join(venv, 'lib/site/gone.py'), 'B = 1\n');
    chmodSync(join(venv, 'lib'), 0o750);
    symlinkSync('lib', join(venv, 'lib64'));
    const snapshot = join(scratch, '.venv.snap');

    const manifest = await linkSnapshot(venv, snapshot);
    // The manifest describes the copy: every entry once, files by the inode they share.
    expect(manifest.map((entry) => entry.path).sort()).toEqual(
      ['.', 'lib', 'lib/site', 'lib/site/gone.py', 'lib/site/mod.py', 'lib64', 'pyvenv.cfg'].sort(),
    );
    const mod = manifest.find((entry) => entry.path === 'lib/site/mod.py');
    expect(mod).toMatchObject({ type: 'file', size: 6 });
    expect(mod?.ino).toBe(String(statSync(join(venv, 'lib/site/mod.py')).ino));
    expect(manifest.find((entry) => entry.path === 'lib64')).toMatchObject({
      type: 'symlink',
      target: 'lib',
    });
    // What tests and pip do: add files, delete them, replace them by rename.
    writeFileSync(join(venv, 'lib/site/new.py'), 'C = 1\n');
    rmSync(join(venv, 'lib/site/gone.py'));
    writeFileSync(join(venv, 'lib/site/mod.py.tmp'), 'A = 2\n');
    renameSync(join(venv, 'lib/site/mod.py.tmp'), join(venv, 'lib/site/mod.py'));

    expect(readFileSync(join(snapshot, 'lib/site/mod.py'), 'utf8')).toBe('A = 1\n');
    expect(existsSync(join(snapshot, 'lib/site/gone.py'))).toBe(true);
    expect(existsSync(join(snapshot, 'lib/site/new.py'))).toBe(false);
    expect(readlinkSync(join(snapshot, 'lib64'))).toBe('lib');
    expect(statSync(join(snapshot, 'lib')).mode & 0o777).toBe(0o750);
    expect(statSync(join(snapshot, 'pyvenv.cfg')).ino).toBe(statSync(join(venv, 'pyvenv.cfg')).ino);
  });

  test('refuses a target that exists', async () => {
    const venv = join(scratch, 'venv2');
    mkdirSync(venv);
    await expect(linkSnapshot(venv, venv)).rejects.toThrow(/EEXIST/);
  });
});
