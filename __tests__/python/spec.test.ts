import fc from 'fast-check';
import { InputError } from '../../src/runner/errors.js';
import { normalizeArchitecture, parsePythonSources } from '../../src/python/inputs.js';
import {
  normalizeVersion,
  parseVersionSpec,
  pickBest,
  pythonSpelling,
  satisfies,
  type VersionSpec,
} from '../../src/python/spec.js';

const stable = { allowPrereleases: false };
const pre = { allowPrereleases: true };

const VERSIONS = [
  '3.8.18',
  '3.9.18',
  '3.10.13',
  '3.11.2',
  '3.11.7',
  '3.12.0-rc.2',
  '3.12.1',
  '3.13.0',
  '3.14.0-alpha.3',
  '3.14.0-beta.1',
];

function best(spec: VersionSpec): string | undefined {
  return pickBest(spec, VERSIONS);
}

describe('normalizeVersion', () => {
  it.each([
    ['3.12.1', '3.12.1'],
    ['3.14.0b1', '3.14.0-beta.1'],
    ['3.14.0-b1', '3.14.0-beta.1'],
    ['3.14.0-beta.1', '3.14.0-beta.1'],
    ['3.13.0rc2', '3.13.0-rc.2'],
    ['3.13.0-rc.2', '3.13.0-rc.2'],
    ['3.14.0a3', '3.14.0-alpha.3'],
    ['03.012.001', '3.12.1'],
  ])('%s -> %s', (text, expected) => {
    expect(normalizeVersion(text)).toBe(expected);
  });

  it.each(['3.12', 'banana', '3.12.1.4', '3.12.1-dev', ''])('rejects %j', (text) => {
    expect(normalizeVersion(text)).toBeUndefined();
  });

  it('round-trips through the Python spelling', () => {
    const tag = fc.constantFrom('alpha', 'beta', 'rc');
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.nat(40),
        fc.nat(30),
        fc.option(fc.tuple(tag, fc.nat(9))),
        (ma, mi, pa, pr) => {
          const version = `${ma}.${mi}.${pa}${pr ? `-${pr[0]}.${pr[1]}` : ''}`;
          expect(normalizeVersion(pythonSpelling(version))).toBe(version);
        },
      ),
    );
  });
});

describe('parseVersionSpec: every form picks the right version', () => {
  it.each([
    ['3.12.1', stable, '3.12.1'],
    ['3.11', stable, '3.11.7'],
    ['3.11.x', stable, '3.11.7'],
    ['3.x', stable, '3.13.0'],
    ['3', stable, '3.13.0'],
    ['3.*', stable, '3.13.0'],
    ['>=3.10 <3.13', stable, '3.12.1'],
    ['>=3.9 <3.11', stable, '3.10.13'],
    ['^3.10', stable, '3.13.0'],
    ['~3.11', stable, '3.11.7'],
    ['3.9 - 3.11', stable, '3.11.7'],
    ['>=3.9,<3.12', stable, '3.11.7'],
    ['~=3.11', stable, '3.13.0'],
    ['~=3.11.0', stable, '3.11.7'],
    ['==3.11.*', stable, '3.11.7'],
    ['>=3.11,!=3.11.7,<3.12', stable, '3.11.2'],
    ['>=3.10,!=3.13.*', stable, '3.12.1'],
    ['4.x', stable, undefined],
    ['3.7', stable, undefined],
    // pre-releases: only with allow-prereleases, and a release still beats its pre-releases
    ['3.14', stable, undefined],
    ['3.14', pre, '3.14.0-beta.1'],
    ['3.12', pre, '3.12.1'],
    ['3.x', pre, '3.14.0-beta.1'],
    ['3.14.0b1', pre, '3.14.0-beta.1'],
    ['3.14.0-beta.1', pre, '3.14.0-beta.1'],
    ['3.14.0a3', pre, '3.14.0-alpha.3'],
    ['3.14-dev', pre, '3.14.0-beta.1'],
    ['>=3.14.0a1', pre, '3.14.0-beta.1'],
  ])('%s (%j) -> %s', (raw, options, expected) => {
    expect(best(parseVersionSpec(raw, options))).toBe(expected);
  });

  it('reads requires-python as PEP 440, where <=3.12 means up to 3.12.0', () => {
    const spec = parseVersionSpec('<=3.12', { allowPrereleases: false, syntax: 'pep440' });
    expect(satisfies(spec, '3.12.0')).toBe(true);
    expect(satisfies(spec, '3.12.1')).toBe(false);
    expect(best(spec)).toBe('3.11.7');
  });

  it('keeps <3.13 from admitting 3.13 pre-releases even when pre-releases are allowed', () => {
    const spec = parseVersionSpec('>=3.12,<3.13', pre);
    expect(satisfies(spec, '3.13.0-rc.1')).toBe(false);
    expect(satisfies(spec, '3.12.1')).toBe(true);
  });

  it('remembers where a spec came from', () => {
    const spec = parseVersionSpec(' 3.12 ', {
      allowPrereleases: false,
      origin: 'python-version-file .python-version:3',
    });
    expect(spec.raw).toBe('3.12');
    expect(spec.origin).toBe('python-version-file .python-version:3');
  });
});

describe('parseVersionSpec: bad specs name the input and the fix', () => {
  it.each([
    ['banana', /no version number/],
    ['3.', /neither a version nor a version range/],
    ['3.12.1.2', /neither a version nor a version range/],
    ['', /it is empty/],
    ['  ', /it is empty/],
    ['x', /no version number/],
    ['*', /no version number/],
    ['python3.12', /neither a version nor a version range/],
    ['pypy3.10', /only CPython/],
    ['3.13t', /free-threaded/],
    ['>=3.10,banana', /"banana" is not a version clause/],
    ['===3.12.1', /arbitrary equality/],
    ['~=3', /needs at least two version parts/],
    ['>=3.1x,<4', /"3.1x" is not a version/],
  ])('%j', (raw, why) => {
    const attempt = () => parseVersionSpec(raw, stable);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(why);
    expect(attempt).toThrow(/^python-version ".*" is not a valid Python version/);
    expect(attempt).toThrow(/Use an exact version \(3\.12\.1\)/);
  });

  it.each(['3.14.0b1', '3.14.0-beta.1', '3.14-dev', '>=3.14.0rc1', '==3.14.0b1'])(
    '%s needs allow-prereleases',
    (raw) => {
      const attempt = () => parseVersionSpec(raw, stable);
      expect(attempt).toThrow(InputError);
      expect(attempt).toThrow(/asks for a pre-release of Python\. Set allow-prereleases: true/);
      expect(() => parseVersionSpec(raw, pre)).not.toThrow();
    },
  );
});

describe('parsePythonSources', () => {
  it('defaults to all three in order', () => {
    expect(parsePythonSources('')).toEqual(['tool-cache', 'manifest', 'system']);
  });

  it('keeps the order given, in any separator', () => {
    expect(parsePythonSources('system, tool-cache')).toEqual(['system', 'tool-cache']);
    expect(parsePythonSources('Manifest\nSYSTEM')).toEqual(['manifest', 'system']);
  });

  it('rejects unknown and repeated sources', () => {
    expect(() => parsePythonSources('tool-cache, conda')).toThrow(
      /python-source .* unknown source "conda"/,
    );
    expect(() => parsePythonSources('system system')).toThrow(
      /python-source .* lists "system" twice/,
    );
  });
});

describe('normalizeArchitecture', () => {
  it.each([
    ['X64', 'x64'],
    ['amd64', 'x64'],
    ['x86_64', 'x64'],
    ['ARM64', 'arm64'],
    ['aarch64', 'arm64'],
    ['ia32', 'x86'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeArchitecture(raw)).toBe(expected);
  });

  it('names the input when it does not know the name', () => {
    expect(() => normalizeArchitecture('mips')).toThrow(
      /^architecture "mips" is not known\. Use x64/,
    );
  });
});
