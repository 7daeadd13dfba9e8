/**
 * One process of the local cache concurrency test (`__tests__/deps/cache/local-concurrency.test.ts`):
 * saves or restores the same key `rounds` times against a shared cache directory and prints
 * one JSON line per round. Every other save keeps a hard-link tree, so restores also link trees
 * that a concurrent save is removing. Run with `node --import tsx`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCacheBackend } from '../../src/deps/cache/local.js';
import { linkSnapshot } from '../../src/deps/snapshot.js';

const [role, cacheDir, key, roundsText, scratch, id] = process.argv.slice(2);
const rounds = Number(roundsText);
const PAYLOAD_BYTES = 512 * 1024;

const warnings: string[] = [];
const infos: string[] = [];
const backend = new LocalCacheBackend(cacheDir, {
  compression: 'none',
  auth: { secret: Buffer.alloc(32, 7), run: { event: 'push', trusted: true } },
  log: { info: (message) => infos.push(message), warning: (message) => warnings.push(message) },
});

for (let round = 0; round < rounds; round++) {
  const dir = join(scratch, `${role}-${id}-${round}`);
  rmSync(dir, { recursive: true, force: true });
  warnings.length = 0;
  infos.length = 0;
  let ok: boolean;
  let problem = '';
  if (role === 'save') {
    mkdirSync(dir, { recursive: true });
    const stamp = `${id}-${round}`;
    writeFileSync(join(dir, 'id.txt'), stamp);
    writeFileSync(join(dir, 'payload.bin'), randomBytes(PAYLOAD_BYTES));
    writeFileSync(join(dir, 'check.txt'), stamp);
    if (round % 2 === 0) {
      // As deps/save.ts does: a hard-link snapshot, which becomes the generation's tree.
      const snapshot = `${dir}.snap`;
      const manifest = await linkSnapshot(dir, snapshot);
      ok = await backend.save(key, [snapshot], { snapshot: { manifest } });
      rmSync(snapshot, { recursive: true, force: true });
    } else ok = await backend.save(key, [dir]);
  } else {
    ok = (await backend.restore(key, [dir])) !== undefined;
    if (ok) {
      // A restored entry must be one saver's whole directory, never a mix.
      const stamp = readFileSync(join(dir, 'id.txt'), 'utf8');
      if (readFileSync(join(dir, 'check.txt'), 'utf8') !== stamp) problem = 'mixed entry';
      if (statSync(join(dir, 'payload.bin')).size !== PAYLOAD_BYTES) problem = 'short payload';
    } else if (existsSync(dir)) problem = 'a miss left a directory behind';
  }
  rmSync(dir, { recursive: true, force: true });
  const via = infos.some((line) => / by hard links to /.test(line)) ? 'tree' : 'archive';
  process.stdout.write(`${JSON.stringify({ role, id, round, ok, warnings, problem, via })}\n`);
}
