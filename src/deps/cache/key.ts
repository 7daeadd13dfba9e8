/**
 * The cache key, built in one pure function. Everything that can make a restored environment
 * differ from a freshly installed one goes into it; nothing else does, so equal inputs give equal
 * keys on every run.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../runner/errors.js';
import { compareStrings } from '../../runner/text.js';

/** What is cached: the whole virtualenv, or only pip's download/wheel cache. */
export type CacheKind = 'venv' | 'pip';

/** One file that shapes the environment, by its path relative to the working directory. */
export interface HashedFile {
  path: string;
  sha256: string;
}

export interface CacheKeyParts {
  /** Default `venv`; selects the `pyci-venv-` or `pyci-pip-` prefix. */
  kind?: CacheKind;
  /** Runner OS as GitHub names it: `Linux`, `macOS`, `Windows`. */
  os: string;
  /** Distro id + version (`ubuntu24.04`) or kernel release: a venv's C extensions link against it. */
  osVersion: string;
  arch: string;
  /** Full interpreter version, e.g. `3.11.7`. */
  pythonVersion: string;
  /** `cpython`, `pypy`, ... */
  pythonImplementation: string;
  /** The base interpreter's executable; a venv points back at it (pyvenv.cfg `home`). */
  pythonExecutable?: string;
  /** Absolute path the cached directory lives at: venvs hard-code it in their scripts. */
  venvPath: string;
  /** Every file that shapes the env: requirement/constraint files transitively, pyproject.toml, lock files, cache-dependency-path. */
  files: HashedFile[];
  /** Inputs that change the env (requirements, install-project, editable, extras, dependency-groups, packages, pip-args). */
  settings: Record<string, string>;
  /** The `cache-key-suffix` input ('' for none). */
  suffix: string;
}

/** GitHub's cache service rejects longer keys. */
export const MAX_KEY_LENGTH = 512;
const DIGEST_HEX_LENGTH = 32;
const IDENTITY_HEX_LENGTH = 8;
/**
 * Settings that change which versions are installed, not the environment's shape: like the
 * dependency files' content, they stay out of the identity, so a venv built before a bump of
 * `packages: numpy==2.1` is still the nearest starting point after it.
 */
const CONTENT_SETTINGS = new Set(['packages']);
/**
 * Bumped whenever the layout of a cache entry or of this key changes, so old entries are never
 * restored by code that would misread them.
 */
const KEY_SCHEMA = 2;

/** The `cache-key-suffix` input, checked (config.ts calls this too, to fail before any work). */
export function validateKeySuffix(suffix: string): string {
  if (suffix.includes(',')) {
    throw new InputError(
      `cache-key-suffix "${suffix}" contains a comma, which GitHub's cache service does not allow in keys. Remove the comma (use "-" or "_").`,
    );
  }
  return suffix;
}

/**
 * `pyci-venv-Linux-ubuntu24.04-x64-cpython3.11.7[-suffix]-<identity>-<digest>`: a readable part
 * for people browsing the cache list; 8 hex of the environment's identity (kind, platform,
 * interpreter and its path, venv path, suffix, the install settings that shape the environment);
 * then a sha256 (32 hex) of every part, dependency files included. Everything up to the digest is
 * the restore prefix (`restorePrefix`): the entries it matches are environments of the same
 * shape built from other dependency files, the nearest starting point for an incremental install.
 * The digest comes LAST and has a fixed length, so no key is a prefix of another one (cache
 * services match keys by prefix), and it covers the readable parts too, so shortening or
 * sanitizing them for display can never make two keys collide.
 */
export function buildCacheKey(parts: CacheKeyParts): string {
  validateKeySuffix(parts.suffix);
  const kind = parts.kind ?? 'venv';
  const readable = [
    `pyci-${kind}`,
    parts.os,
    parts.osVersion,
    parts.arch,
    `${parts.pythonImplementation}${parts.pythonVersion}`,
    parts.suffix,
  ]
    .map(readableSegment)
    .filter((segment) => segment !== '')
    .join('-');
  const identity = sha256Hex(canonicalJson(parts, kind, 'identity')).slice(0, IDENTITY_HEX_LENGTH);
  const digest = sha256Hex(canonicalJson(parts, kind, 'all')).slice(0, DIGEST_HEX_LENGTH);
  const room = MAX_KEY_LENGTH - DIGEST_HEX_LENGTH - IDENTITY_HEX_LENGTH - 2;
  return `${readable.slice(0, room)}-${identity}-${digest}`;
}

/**
 * The restore key of a key built above: everything but its digest. It ends with the identity and
 * a hyphen, so it matches only keys of environments with the same identity.
 */
export function restorePrefix(key: string): string {
  if (!/-[0-9a-f]{8}-[0-9a-f]{32}$/.test(key)) throw new Error(`Not a cache key: ${key}`);
  return key.slice(0, -DIGEST_HEX_LENGTH);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Keeps a key part readable and free of characters cache services or file systems dislike. */
function readableSegment(value: string): string {
  return value
    .trim()
    .replace(/[^A-Za-z0-9._+-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
}

/**
 * One unambiguous serialization: arrays and sorted entries, so no separator can be forged.
 * `identity` leaves out what changes from one dependency bump to the next: the files (their
 * content and local paths) and the content settings.
 */
function canonicalJson(parts: CacheKeyParts, kind: CacheKind, scope: 'identity' | 'all'): string {
  const files = [...parts.files]
    .map((file) => [file.path.replace(/\\/g, '/'), file.sha256.toLowerCase()] as const)
    .sort((a, b) => compareStrings(a[0], b[0]) || compareStrings(a[1], b[1]));
  const settings = Object.entries(parts.settings)
    .filter(([name]) => scope === 'all' || !CONTENT_SETTINGS.has(name))
    .sort((a, b) => compareStrings(a[0], b[0]));
  return JSON.stringify([
    KEY_SCHEMA,
    kind,
    parts.os,
    parts.osVersion,
    parts.arch,
    parts.pythonImplementation,
    parts.pythonVersion,
    parts.pythonExecutable ?? '',
    parts.venvPath,
    scope === 'all' ? files : [],
    settings,
    parts.suffix,
  ]);
}
