/** The digest an in-place marker records: what verification checks, in a stable form. */
import { describe, expect, test } from '@jest/globals';
import { linkSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARKER_FILE, stateDigest, writeMarker } from '../../src/deps/in-place.js';
import { makeVenv, systemPython } from '../support/venv-fixtures.js';

describe('stateDigest', () => {
  const dists = [
    { name: 'Six', version: '1.17.0' },
    { name: 'pytest', version: '9.1.1' },
  ];
  test('ignores order and name spelling', () => {
    expect(stateDigest('3.11.7', dists)).toBe(
      stateDigest('3.11.7', [
        { name: 'pytest', version: '9.1.1' },
        { name: 'six', version: '1.17.0' },
      ]),
    );
  });

  test('changes with a version, a missing or extra distribution, or the interpreter', () => {
    const base = stateDigest('3.11.7', dists);
    expect(stateDigest('3.11.8', dists)).not.toBe(base);
    expect(stateDigest('3.11.7', [dists[0], { name: 'pytest', version: '9.1.0' }])).not.toBe(base);
    expect(stateDigest('3.11.7', [dists[1]])).not.toBe(base);
    expect(stateDigest('3.11.7', [...dists, { name: 'idna', version: '3.20' }])).not.toBe(base);
  });
});

describe('writeMarker', () => {
  test('replaces the marker by rename, never in place: a hard-link tree may share the old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyci-marker-'));
    try {
      const venv = join(dir, '.venv');
      makeVenv(systemPython().executable, venv);
      const auth = { secret: Buffer.alloc(32, 1), run: { event: 'push', trusted: true } };
      await writeMarker(venv, 'key-1', systemPython().version, auth);
      // What a local entry's tree holds after a save: another link to the same file.
      const shared = join(dir, 'tree-marker');
      linkSync(join(venv, MARKER_FILE), shared);
      const before = readFileSync(shared, 'utf8');

      await writeMarker(venv, 'key-2', systemPython().version, auth);
      expect(readFileSync(join(venv, MARKER_FILE), 'utf8')).toContain('"key-2"');
      expect(readFileSync(shared, 'utf8')).toBe(before);
      expect(readdirSync(venv).filter((name) => name.includes('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
