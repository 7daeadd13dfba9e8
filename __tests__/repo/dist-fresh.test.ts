/** dist/ is what GitHub runs: it must be exactly a fresh build of src/. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../../tools/harness.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

it('dist/ matches a fresh build of src/ (run `npm run build` and commit dist/)', () => {
  const fresh = join(mkdtempSync(join(tmpdir(), 'pyci-dist-')), 'dist');
  execFileSync('node', ['scripts/build.mjs', '--out', fresh], { cwd: repoRoot, stdio: 'pipe' });
  const committed = join(repoRoot, 'dist');
  expect(listFiles(committed)).toEqual(listFiles(fresh));
  const stale = listFiles(fresh).filter(
    (file) => !readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file))),
  );
  expect(stale).toEqual([]);
}, 240_000);
