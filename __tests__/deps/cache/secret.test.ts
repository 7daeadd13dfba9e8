/** The key that authenticates local cache entries: created once, private, never in the workspace. */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCacheSecret } from '../../../src/deps/cache/secret.js';
import { isTrustedEvent } from '../../../src/deps/cache/policy.js';
import { repoRoot } from '../../../tools/harness.js';

const home = mkdtempSync(join(tmpdir(), 'pyci-home-'));

it('creates a random key once (folder 0700, file 0600) and reads the same key later', () => {
  const keyFile = join(home, '.config/pyci-action/cache-hmac.key');
  const first = loadCacheSecret({ input: '', keyFile, forbidden: ['/nowhere'] });
  expect(first).toBeInstanceOf(Buffer);
  expect((first as Buffer).length).toBe(32);
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  expect(statSync(join(home, '.config/pyci-action')).mode & 0o777).toBe(0o700);
  expect(loadCacheSecret({ input: '', keyFile, forbidden: [] })).toEqual(first);
  expect(readFileSync(keyFile, 'utf8').trim()).toBe((first as Buffer).toString('hex'));
});

it('prefers the cache-local-secret input', () => {
  expect(loadCacheSecret({ input: 's3cret', keyFile: '/unused', forbidden: [] })).toEqual(
    Buffer.from('s3cret'),
  );
});

it('refuses a key file inside the workspace or the cache directory, or a malformed one', () => {
  const workspace = join(home, 'ws');
  const inside = loadCacheSecret({
    input: '',
    keyFile: join(workspace, 'k'),
    forbidden: [workspace],
  });
  expect(inside).toBeInstanceOf(Error);
  expect((inside as Error).message).toMatch(/is inside .*ws, where tests can read or replace it/);
  const bad = join(home, 'bad.key');
  mkdirSync(home, { recursive: true });
  writeFileSync(bad, 'not hex\n');
  expect((loadCacheSecret({ input: '', keyFile: bad, forbidden: [] }) as Error).message).toMatch(
    /is malformed; delete it/,
  );
});

it('trusts only events that build the repository’s own code', () => {
  for (const name of ['push', 'schedule', 'workflow_dispatch', 'merge_group'])
    expect({ name, trusted: isTrustedEvent({ name }) }).toEqual({ name, trusted: true });
  for (const name of ['pull_request', 'pull_request_target', 'workflow_run', 'issue_comment', ''])
    expect({ name, trusted: isTrustedEvent({ name }) }).toEqual({ name, trusted: false });
});

it('jobs creating the key at the same moment all get the one key, never a half-written file', async () => {
  const keyFile = join(home, 'race/.config/pyci-action/cache-hmac.key');
  const script = `
    import { loadCacheSecret } from './src/deps/cache/secret.ts';
    const key = loadCacheSecret({ input: '', keyFile: ${JSON.stringify(keyFile)}, forbidden: [] });
    console.log(key instanceof Error ? 'error: ' + key.message : key.toString('hex'));
  `;
  // Real processes, started together, as concurrent jobs on one self-hosted runner would be.
  const keys = await Promise.all(
    Array.from(
      { length: 6 },
      () =>
        new Promise<string>((done) => {
          execFile(
            process.execPath,
            [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), '--input-type=module', '-e', script],
            { cwd: repoRoot, timeout: 60_000 },
            (_error, stdout) => done(stdout.trim()),
          );
        }),
    ),
  );
  expect(new Set(keys).size).toBe(1);
  expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(readFileSync(keyFile, 'utf8').trim()).toBe(keys[0]);
}, 90_000);
