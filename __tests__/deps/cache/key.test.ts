/** The cache key: equal inputs give equal keys; any change that matters gives another key. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  MAX_KEY_LENGTH,
  buildCacheKey,
  restorePrefix,
  type CacheKeyParts,
} from '../../../src/deps/cache/key.js';
import { InputError } from '../../../src/runner/errors.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes(','));

const partsArb: fc.Arbitrary<CacheKeyParts> = fc.record({
  os: fc.constantFrom('Linux', 'macOS', 'Windows'),
  osVersion: fc.constantFrom('ubuntu24.04', 'ubuntu22.04', 'darwin23', '10.0.20348'),
  arch: fc.constantFrom('x64', 'arm64'),
  pythonVersion: fc.constantFrom('3.8.18', '3.11.7', '3.12.1', '3.13.0'),
  pythonImplementation: fc.constantFrom('cpython', 'pypy'),
  venvPath: text.map((s) => `/work/${s}/.venv`),
  files: fc.uniqueArray(fc.record({ path: text, sha256: hex64 }), {
    selector: (f) => f.path,
    maxLength: 6,
  }),
  settings: fc.dictionary(
    fc.constantFrom('requirements', 'extras', 'packages', 'pip-args', 'editable'),
    text,
  ),
  suffix: fc.oneof(fc.constant(''), text),
});

/** Every way one part can change, each producing parts that differ from the original. */
const changes: Record<string, (p: CacheKeyParts) => CacheKeyParts> = {
  'a file content': (p) => ({
    ...p,
    files: [...p.files, { path: 'requirements.txt', sha256: 'f'.repeat(64) }],
  }),
  'a file renamed': (p) => ({
    ...p,
    files: [...p.files, { path: 'x/new-name.txt', sha256: 'e'.repeat(64) }],
  }),
  'a setting': (p) => ({
    ...p,
    settings: { ...p.settings, 'pip-args': `${p.settings['pip-args'] ?? ''} --pre` },
  }),
  'the python version': (p) => ({ ...p, pythonVersion: `${p.pythonVersion}1` }),
  'the implementation': (p) => ({ ...p, pythonImplementation: `${p.pythonImplementation}x` }),
  'the venv path': (p) => ({ ...p, venvPath: `${p.venvPath}2` }),
  'the suffix': (p) => ({ ...p, suffix: `${p.suffix}z` }),
  'the os version': (p) => ({ ...p, osVersion: `${p.osVersion}.1` }),
  'the arch': (p) => ({ ...p, arch: `${p.arch}e` }),
  'the kind': (p) => ({ ...p, kind: 'pip' }),
  'the interpreter path': (p) => ({ ...p, pythonExecutable: '/opt/other/python' }),
};

describe('buildCacheKey', () => {
  test('is deterministic and ignores the order of files and settings', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const shuffled: CacheKeyParts = {
          ...parts,
          files: [...parts.files].reverse(),
          settings: Object.fromEntries(Object.entries(parts.settings).reverse()),
        };
        expect(buildCacheKey(shuffled)).toBe(buildCacheKey(structuredClone(parts)));
      }),
    );
  });

  test.each(Object.keys(changes))('changes when %s changes', (change) => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        expect(buildCacheKey(changes[change](parts))).not.toBe(buildCacheKey(parts));
      }),
    );
  });

  test('changing the content of one existing file changes the key', () => {
    fc.assert(
      fc.property(partsArb, hex64, (parts, other) => {
        fc.pre(parts.files.length > 0 && parts.files[0].sha256 !== other);
        const changed = {
          ...parts,
          files: [{ ...parts.files[0], sha256: other }, ...parts.files.slice(1)],
        };
        expect(buildCacheKey(changed)).not.toBe(buildCacheKey(parts));
      }),
    );
  });

  test('is a valid GitHub cache key: at most 512 chars, no commas, digest last', () => {
    fc.assert(
      fc.property(
        partsArb,
        fc.string({ maxLength: 600 }).filter((s) => !s.includes(',')),
        (parts, suffix) => {
          const key = buildCacheKey({ ...parts, suffix });
          expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
          expect(key).not.toContain(',');
          expect(key).toMatch(/^pyci-venv-[A-Za-z0-9._+-]*-[0-9a-f]{8}-[0-9a-f]{32}$/);
        },
      ),
    );
  });

  test('reads well', () => {
    const key = buildCacheKey({
      os: 'Linux',
      osVersion: 'ubuntu24.04',
      arch: 'x64',
      pythonVersion: '3.11.7',
      pythonImplementation: 'cpython',
      venvPath: '/home/runner/work/app/app/.venv',
      files: [{ path: 'requirements.txt', sha256: 'a'.repeat(64) }],
      settings: { requirements: 'requirements.txt' },
      suffix: 'gpu',
    });
    expect(key).toMatch(
      /^pyci-venv-Linux-ubuntu24\.04-x64-cpython3\.11\.7-gpu-[0-9a-f]{8}-[0-9a-f]{32}$/,
    );
    expect(restorePrefix(key)).toMatch(
      /^pyci-venv-Linux-ubuntu24\.04-x64-cpython3\.11\.7-gpu-[0-9a-f]{8}-$/,
    );
    expect(buildCacheKey({ ...keyParts(), kind: 'pip' })).toMatch(/^pyci-pip-Linux-/);
  });

  test('a suffix with a comma is an InputError naming the input', () => {
    expect(() => buildCacheKey({ ...keyParts(), suffix: 'a,b' })).toThrow(InputError);
    expect(() => buildCacheKey({ ...keyParts(), suffix: 'a,b' })).toThrow(
      /cache-key-suffix "a,b" contains a comma/,
    );
  });

  test('two suffixes that read the same after sanitizing still give different keys', () => {
    expect(buildCacheKey({ ...keyParts(), suffix: 'a b' })).not.toBe(
      buildCacheKey({ ...keyParts(), suffix: 'a/b' }),
    );
  });
});

/** Changes that make another environment of the same shape: the restore prefix stays. */
const contentChanges = ['a file content', 'a file renamed'];

describe('restorePrefix', () => {
  test('is the key without its digest, and a prefix of the key', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const key = buildCacheKey(parts);
        const prefix = restorePrefix(key);
        expect(key.startsWith(prefix)).toBe(true);
        expect(key.length - prefix.length).toBe(32);
      }),
    );
  });

  test.each(contentChanges)('stays when %s changes: the old entry is the nearest one', (change) => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const changed = buildCacheKey(changes[change](parts));
        expect(changed).not.toBe(buildCacheKey(parts));
        expect(restorePrefix(changed)).toBe(restorePrefix(buildCacheKey(parts)));
      }),
    );
  });

  test('stays when the packages input changes (a bump)', () => {
    fc.assert(
      fc.property(partsArb, text, (parts, packages) => {
        fc.pre(packages !== parts.settings.packages);
        const base = restorePrefix(buildCacheKey(parts));
        const bumped = { ...parts, settings: { ...parts.settings, packages } };
        expect(restorePrefix(buildCacheKey(bumped))).toBe(base);
      }),
    );
  });

  test.each(Object.keys(changes).filter((change) => !contentChanges.includes(change)))(
    'changes when %s changes: another shape is never restored',
    (change) => {
      fc.assert(
        fc.property(partsArb, (parts) => {
          const key = buildCacheKey(parts);
          expect(buildCacheKey(changes[change](parts)).startsWith(restorePrefix(key))).toBe(false);
        }),
      );
    },
  );

  test('refuses what is not a cache key', () => {
    expect(() => restorePrefix('pyci-venv-Linux-abc')).toThrow(/Not a cache key/);
  });
});

function keyParts(): CacheKeyParts {
  return {
    os: 'Linux',
    osVersion: 'ubuntu24.04',
    arch: 'x64',
    pythonVersion: '3.11.7',
    pythonImplementation: 'cpython',
    venvPath: '/w/.venv',
    files: [],
    settings: {},
    suffix: '',
  };
}
