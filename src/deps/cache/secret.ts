/**
 * The secret that authenticates local cache entries: the `cache-local-secret` input when given,
 * else a random key in `~/.config/pyci-action/cache-hmac.key` (folder 0700, file 0600), created on
 * first use. It must live outside the workspace and the cache directory, which tests can write.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * `PYCI_CACHE_KEY_FILE` moves it (tests use it to keep the machine's home folder untouched; it
 * gives nothing to an attacker who could not already set HOME for the step).
 */
export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYCI_CACHE_KEY_FILE || join(homedir(), '.config', 'pyci-action', 'cache-hmac.key');
}

function within(inner: string, outer: string): boolean {
  const path = relative(resolve(outer), resolve(inner));
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/**
 * The secret, or an Error whose message says why there is none (the caller warns and runs
 * without the local cache). `forbidden`: folders the key file must not be in.
 */
export function loadCacheSecret(options: {
  input: string;
  keyFile?: string;
  forbidden: string[];
}): Buffer | Error {
  if (options.input !== '') return Buffer.from(options.input, 'utf8');
  const keyFile = options.keyFile ?? defaultKeyFile();
  const inside = options.forbidden.find((dir) => dir !== '' && within(keyFile, dir));
  if (inside) {
    return new Error(
      `the cache key file ${keyFile} is inside ${inside}, where tests can read or replace it. Set HOME to a folder outside the workspace and the cache directory, or give cache-local-secret`,
    );
  }
  try {
    const text = readFileSync(keyFile, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(text)) {
      chmodSync(keyFile, 0o600);
      return Buffer.from(text, 'hex');
    }
    return new Error(
      `the cache key file ${keyFile} is malformed; delete it to have a new one made`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return new Error(`cannot read the cache key file ${keyFile} (${(error as Error).message})`);
    }
  }
  try {
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    chmodSync(dirname(keyFile), 0o700);
    const secret = randomBytes(32);
    // Written whole under a temp name, then linked into place: a job racing us never reads a
    // half-written key, and `link` fails with EEXIST when another job's key got there first
    // (then both use the winner's).
    const temp = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, `${secret.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    try {
      linkSync(temp, keyFile);
    } finally {
      rmSync(temp, { force: true });
    }
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return loadCacheSecret({ ...options, keyFile });
    return new Error(`cannot create the cache key file ${keyFile} (${(error as Error).message})`);
  }
}
