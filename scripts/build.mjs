// Bundles each entry with @vercel/ncc into dist/ (or `--out DIR`, used by the test that checks
// dist/ is fresh). GitHub runs dist/ as committed.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const outIndex = process.argv.indexOf('--out');
const outRoot = outIndex > 0 ? process.argv[outIndex + 1] : 'dist';

export const entries = [
  ['src/index.ts', '.'],
  ['src/gate/index.ts', 'gate'],
];
rmSync(outRoot, { recursive: true, force: true });
for (const [entry, sub] of entries) {
  execFileSync(
    'npx',
    ['ncc', 'build', entry, '-o', join(outRoot, sub), '--license', 'licenses.txt', '--quiet'],
    { stdio: 'inherit' },
  );
}
