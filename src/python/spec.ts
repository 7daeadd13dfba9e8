/**
 * Python version specs: parsing what a user (or a version file) wrote into one semver range,
 * and matching candidate versions against it. Pure: no file system, no process.
 *
 * Every version this stage compares (tool cache folder names, manifest entries, probed
 * interpreters) is first put in one canonical form by `normalizeVersion`, so `3.14.0b1`,
 * `3.14.0-b1` and `3.14.0-beta.1` are the same version everywhere.
 */
import semver from 'semver';
import { InputError } from '../runner/errors.js';

export interface VersionSpec {
  /** As written, for messages. */
  raw: string;
  /** Where it was written: `python-version`, or `python-version-file .python-version:2`. */
  origin: string;
  /** semver range a candidate must satisfy (pre-release tags are already canonical). */
  range: string;
  /** Ranges a candidate must not satisfy (PEP 440 `!=` clauses). */
  excludes: string[];
  /** Whether pre-release candidates are considered at all. */
  includePrerelease: boolean;
}

export interface SpecOptions {
  allowPrereleases: boolean;
  /** Names the input (and file:line) in error messages. Default `python-version`. */
  origin?: string;
  /** `pep440` for `requires-python`, whose `<=3.12` means 3.12.0 and not "any 3.12". */
  syntax?: 'auto' | 'pep440';
}

const PRERELEASE_NAMES: Record<string, string> = {
  a: 'alpha',
  alpha: 'alpha',
  b: 'beta',
  beta: 'beta',
  c: 'rc',
  rc: 'rc',
};

// X.Y.Z with an optional pre-release in the PEP 440 (`b1`) or semver (`-beta.1`) spelling.
const VERSION_PATTERN = /^(\d+)\.(\d+)\.(\d+)(?:-?(a|alpha|b|beta|rc|c)\.?(\d+))?$/i;
const PRERELEASE_IN_TEXT = /(\d+\.\d+\.\d+)-?(alpha|beta|rc|a|b|c)\.?(\d+)/gi;
const PREFIX_PATTERN = /^(\d+)(?:\.(\d+|x|\*))?(?:\.(x|\*))?$/i;
const DEV_PATTERN = /^(\d+)\.(\d+)-dev$/i;
const PEP440_MARKERS = /,|~=|==|!=/;

/** Canonical semver form of a Python version, or undefined when it is not one. */
export function normalizeVersion(text: string): string | undefined {
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, tag, serial] = match;
  const base = `${Number(major)}.${Number(minor)}.${Number(patch)}`;
  return tag ? `${base}-${PRERELEASE_NAMES[tag.toLowerCase()]}.${Number(serial)}` : base;
}

/** `3.14.0-beta.1` -> `3.14.0b1`: how Python itself spells a version, for messages. */
export function pythonSpelling(version: string): string {
  const parsed = semver.parse(version);
  if (!parsed || parsed.prerelease.length === 0) return version;
  const [name, serial] = parsed.prerelease;
  const short = name === 'alpha' ? 'a' : name === 'beta' ? 'b' : String(name);
  return `${parsed.major}.${parsed.minor}.${parsed.patch}${short}${serial ?? ''}`;
}

function canonicalPrereleases(text: string): string {
  return text.replace(
    PRERELEASE_IN_TEXT,
    (_all, base: string, tag: string, serial: string) =>
      `${base}-${PRERELEASE_NAMES[tag.toLowerCase()]}.${Number(serial)}`,
  );
}

function bad(origin: string, raw: string, why: string): InputError {
  return new InputError(
    `${origin} "${raw}" is not a valid Python version: ${why}. ` +
      'Use an exact version (3.12.1), a minor version (3.12), 3.x, or a range (>=3.10 <3.13).',
  );
}

function needsPrereleases(origin: string, raw: string): InputError {
  return new InputError(
    `${origin} "${raw}" asks for a pre-release of Python. ` +
      'Set allow-prereleases: true to use pre-releases, or ask for a released version (for example 3.13).',
  );
}

/** `>=M.m.0-0 <M.(m+1).0-0` style bounds: the `-0` lets pre-releases of the first version in. */
function prefixRange(major: number, minor: number | undefined): string {
  if (minor === undefined) return `>=${major}.0.0-0 <${major + 1}.0.0-0`;
  return `>=${major}.${minor}.0-0 <${major}.${minor + 1}.0-0`;
}

function refuseOtherImplementations(text: string, raw: string, origin: string): void {
  if (/^(pypy|graalpy|jython|ironpython)/i.test(text)) {
    throw bad(origin, raw, 'only CPython is supported (PyPy, GraalPy and others are not)');
  }
  if (/^\d+\.\d+(\.\d+)?t$/i.test(text)) {
    throw bad(origin, raw, 'free-threaded builds ("t" suffix) are not supported yet');
  }
}

/** A PEP 440 version in a specifier clause, padded to X.Y.Z; `*` wildcards handled by callers. */
function pep440Version(text: string, raw: string, origin: string): string {
  const parts = text.split('.');
  while (parts.length < 3 && /^\d+$/.test(parts[parts.length - 1] ?? '')) parts.push('0');
  const version = normalizeVersion(parts.join('.'));
  if (!version) throw bad(origin, raw, `"${text}" is not a version`);
  return version;
}

/** `3.11.*` / `3.*` -> a range, or undefined when `text` has no wildcard. */
function wildcardRange(text: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?\.\*$/.exec(text);
  if (!match) return undefined;
  return prefixRange(Number(match[1]), match[2] === undefined ? undefined : Number(match[2]));
}

interface Pep440Parts {
  range: string[];
  excludes: string[];
  mentionsPrerelease: boolean;
}

/** PEP 440 specifier sets as in `requires-python`: `>=3.9,<3.13`, `~=3.10`, `==3.11.*`, `!=3.12.0`. */
function parsePep440(text: string, raw: string, origin: string): Pep440Parts {
  const parts: Pep440Parts = { range: [], excludes: [], mentionsPrerelease: false };
  for (const clause of text.split(',').map((c) => c.trim())) {
    const match = /^(===|~=|==|!=|<=|>=|<|>)\s*([0-9][0-9a-zA-Z.*-]*)$/.exec(clause);
    if (!match) throw bad(origin, raw, `"${clause}" is not a version clause like >=3.10`);
    const [, op, versionText] = match;
    if (op === '===') throw bad(origin, raw, 'arbitrary equality (===) is not supported');
    if (op === '==' || op === '!=') {
      const range = wildcardRange(versionText) ?? pep440Version(versionText, raw, origin);
      (op === '==' ? parts.range : parts.excludes).push(range);
      if (semver.prerelease(range)) parts.mentionsPrerelease = true;
      continue;
    }
    const version = pep440Version(versionText, raw, origin);
    if (semver.prerelease(version)) parts.mentionsPrerelease = true;
    if (op === '~=') {
      const segments = versionText.split('.').length;
      if (segments < 2) throw bad(origin, raw, '~= needs at least two version parts (~=3.10)');
      const upper =
        segments === 2
          ? `${semver.major(version) + 1}.0.0-0`
          : `${semver.major(version)}.${semver.minor(version) + 1}.0-0`;
      parts.range.push(`>=${version} <${upper}`);
    } else if (op === '<') {
      // PEP 440: `<3.13` also excludes 3.13's own pre-releases.
      parts.range.push(`<${semver.prerelease(version) ? version : `${version}-0`}`);
    } else {
      parts.range.push(`${op}${version}`);
    }
  }
  return parts;
}

/**
 * Parses one version spec. Forms: exact `3.12.1`, pre-release `3.14.0b1` / `3.14.0-beta.1`,
 * `3.12` / `3.12.x` / `3` / `3.x`, `3.14-dev`, semver ranges (`>=3.10 <3.13`, `^3.11`, `~3.12`),
 * and PEP 440 specifier sets (`>=3.9,<3.13`, `~=3.10`, `==3.11.*`, `!=3.12.0`).
 * Throws InputError naming `origin` for anything else.
 */
export function parseVersionSpec(raw: string, options: SpecOptions): VersionSpec {
  const origin = options.origin ?? 'python-version';
  const text = raw.trim();
  if (!text) throw bad(origin, raw, 'it is empty');
  refuseOtherImplementations(text, raw, origin);
  const make = (
    range: string,
    includePrerelease: boolean,
    excludes: string[] = [],
  ): VersionSpec => ({
    raw: text,
    origin,
    range,
    excludes,
    includePrerelease,
  });

  const exact = normalizeVersion(text);
  if (exact) {
    const isPrerelease = semver.prerelease(exact) !== null;
    if (isPrerelease && !options.allowPrereleases) throw needsPrereleases(origin, raw);
    return make(exact, isPrerelease);
  }

  const dev = DEV_PATTERN.exec(text);
  if (dev) {
    if (!options.allowPrereleases) throw needsPrereleases(origin, raw);
    return make(prefixRange(Number(dev[1]), Number(dev[2])), true);
  }

  const prefix = PREFIX_PATTERN.exec(text);
  if (prefix) {
    const minor =
      prefix[2] === undefined || /^[x*]$/i.test(prefix[2]) ? undefined : Number(prefix[2]);
    return make(prefixRange(Number(prefix[1]), minor), options.allowPrereleases);
  }

  if (options.syntax === 'pep440' || PEP440_MARKERS.test(text)) {
    const parts = parsePep440(text, raw, origin);
    if (parts.mentionsPrerelease && !options.allowPrereleases) throw needsPrereleases(origin, raw);
    return make(parts.range.join(' ') || '*', options.allowPrereleases, parts.excludes);
  }

  // A semver range. Reject bare words before asking semver, which reads `x` or `*` as "anything".
  if (!/\d/.test(text)) throw bad(origin, raw, 'it has no version number in it');
  const canonical = canonicalPrereleases(text);
  const range = semver.validRange(canonical);
  if (!range) throw bad(origin, raw, 'it is neither a version nor a version range');
  if (/-(alpha|beta|rc)\./.test(canonical) && !options.allowPrereleases)
    throw needsPrereleases(origin, raw);
  return make(range, options.allowPrereleases);
}

/** Whether a canonical version satisfies the spec. */
export function satisfies(spec: VersionSpec, version: string): boolean {
  if (!semver.valid(version)) return false;
  if (semver.prerelease(version) && !spec.includePrerelease) return false;
  const options = { includePrerelease: true };
  if (!semver.satisfies(version, spec.range, options)) return false;
  return !spec.excludes.some((excluded) => semver.satisfies(version, excluded, options));
}

/** The highest version satisfying the spec, or undefined. */
export function pickBest(spec: VersionSpec, versions: readonly string[]): string | undefined {
  return versions.filter((v) => satisfies(spec, v)).sort(semver.rcompare)[0];
}

/** Newest first, duplicates removed; invalid versions dropped. */
export function sortVersions(versions: readonly string[]): string[] {
  return [...new Set(versions.filter((v) => semver.valid(v)))].sort(semver.rcompare);
}

/** The spec used when neither python-version nor a version file says anything: newest 3.x. */
export function defaultSpec(): VersionSpec {
  return {
    raw: '3.x',
    origin: 'python-version (empty, so the newest 3.x)',
    range: prefixRange(3, undefined),
    excludes: [],
    includePrerelease: false,
  };
}
