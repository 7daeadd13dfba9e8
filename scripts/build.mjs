// Bundles each entry with @vercel/ncc into dist/ (or `--out DIR`, used by the test that checks
// dist/ is fresh). GitHub runs dist/ as committed. The bundle is built beside the target and
// swapped in at the end, so tests running meanwhile never see a half-written dist/.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const outIndex = process.argv.indexOf('--out');
const outRoot = outIndex > 0 ? process.argv[outIndex + 1] : 'dist';
const staging = `${outRoot}.building-${process.pid}`;

const entries = [
  ['src/index.ts', '.'],
  ['src/gate/index.ts', 'gate'],
];
rmSync(staging, { recursive: true, force: true });
try {
  for (const [entry, sub] of entries) {
    execFileSync(
      'npx',
      ['ncc', 'build', entry, '-o', join(staging, sub), '--license', 'licenses.txt', '--quiet'],
      { stdio: 'inherit' },
    );
  }
  rmSync(outRoot, { recursive: true, force: true });
  renameSync(staging, outRoot);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
