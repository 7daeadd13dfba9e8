/** Packing runs below the tests' priority: tar (and zstd) 10 nice levels down. */
import { afterAll, expect, test } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { repoRoot } from '../../../tools/harness.js';

const archiveModule = join(repoRoot, 'src/deps/cache/archive.ts');

const scratch = mkdtempSync(join(tmpdir(), 'pyci-archive-nice-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("createArchive lowers tar's priority by 10 (the fake tar reads it, Linux's `nice`)", () => {
  const realTar = execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim();
  const bin = join(scratch, 'bin');
  const seen = join(scratch, 'nice.txt');
  // A tar that waits for its priority to be set, writes it down, then is the real tar.
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(
    join(bin, 'tar'),
    `#!/bin/sh\nsleep 0.3\nnice > ${JSON.stringify(seen)}\nexec ${JSON.stringify(realTar)} "$@"\n`,
  );
  chmodSync(join(bin, 'tar'), 0o755);
  const source = join(scratch, 'src');
  execFileSync('mkdir', ['-p', source]);
  writeFileSync(join(source, 'file.txt'), 'x');
  // In a process of its own: jest's process.env is not the one child_process reads.
  const out = join(scratch, 'out.tar');
  const script = `import(${JSON.stringify(archiveModule)}).then((m) => m.createArchive(${JSON.stringify(source)}, 'none', ${JSON.stringify(out)}));`;
  execFileSync(join(repoRoot, 'node_modules/.bin/tsx'), ['-e', script], {
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` },
  });
  const base = Number(execFileSync('nice', { encoding: 'utf8' }).trim());
  expect(Number(readFileSync(seen, 'utf8').trim())).toBe(Math.min(base + 10, 19));
});
