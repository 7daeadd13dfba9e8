/** dist/ is what GitHub runs: it must be exactly a fresh build of src/. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir, repoRoot } from '../../tools/harness.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

it('dist/ matches a fresh build of src/ (run `npm run build` and commit dist/)', () => {
  const fresh = join(makeTempDir('pyci-dist-'), 'dist');
  execFileSync('node', ['scripts/build.mjs', '--out', fresh], { cwd: repoRoot, stdio: 'pipe' });
  const committed = join(repoRoot, 'dist');
  expect(listFiles(committed)).toEqual(listFiles(fresh));
  const stale = listFiles(fresh).filter(
    (file) => !readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file))),
  );
  expect(stale).toEqual([]);
}, 240_000);
