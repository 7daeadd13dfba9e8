/**
 * The Python we ship (src/**\/*.py, copied into dist/ by ncc) is checked like code: it compiles,
 * with warnings as errors, on the oldest and newest Python we test with and on the machine's
 * python3, and every file is in dist/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../tools/harness.js';

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const sources = filesUnder(join(repoRoot, 'src'), '.py');

/** pyenv's oldest and newest CPython (3.8 and 3.13 on our machines), and the default python3. */
function interpreters(): string[] {
  const versions = join(execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim(), 'versions');
  const python = (prefix: string): string[] =>
    readdirSync(versions)
      .filter((name) => name.startsWith(prefix))
      .map((name) => join(versions, name, 'bin', 'python3'));
  return [...python('3.8.'), ...python('3.13.'), 'python3'];
}

it('there are Python sources to check', () => {
  expect(sources.map((file) => file.slice(repoRoot.length + 1))).toEqual(
    expect.arrayContaining(['src/deps/cache/verify_venv.py', 'src/pytest/pyci_pytest_plugin.py']),
  );
});

it.each(interpreters())('every .py under src/ compiles with %s -W error', (python) => {
  // Bytecode goes to a scratch folder, never next to the sources.
  const cache = mkdtempSync(join(tmpdir(), 'pyci-pycompile-'));
  try {
    const result = spawnSync(python, ['-W', 'error', '-m', 'py_compile', ...sources], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPYCACHEPREFIX: cache },
    });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

it('dist/ ships every .py under src/', () => {
  // ncc names an asset after its source, or after its hash (see src/runner/asset.ts).
  const shipped = filesUnder(join(repoRoot, 'dist'), '.py').map((file) => readFileSync(file));
  const missing = sources.filter(
    (file) => !shipped.some((data) => data.equals(readFileSync(file))),
  );
  expect(missing).toEqual([]);
});
