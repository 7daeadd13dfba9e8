/**
 * Issue 3 through the real bundle (dist/index.js): the manifest download on a tool cache miss
 * against a python-versions stand-in on 127.0.0.1 (real download, extraction, setup.sh, venv, pip
 * and pytest), the tool cache hit after it, a 404, the token's masking, every version file form,
 * every bad spec, and the environment exported for later steps.
 *
 * Not here: a server that fails the first requests. Through the bundle each retry waits
 * @actions/tool-cache's 10-20 s; __tests__/python/download.test.ts covers it with the delays at 0.
 */
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceFrom } from '../support/fixtures.js';
import {
  buildPythonArchive,
  manifestRelease,
  osVersionId,
  startManifestServer,
  type ManifestServer,
} from '../support/manifest-server.js';
import { expectCleanFailure } from '../support/assertions.js';
import { repoRoot, runAction } from '../../tools/harness.js';
import {
  layoutToolCache,
  machineArch,
  newestPatch,
  pyenvPrefix,
  pyenvVersions,
} from '../../tools/toolcache.js';

const arch = machineArch();
/** What the manifest offers: 3.11, the version the local package indexes have wheels for. */
const served = pyenvVersions().find((v) => v.startsWith('3.11.'))!;
const minor = (version: string) => version.split('.').slice(0, 2).join('.');

let server: ManifestServer;

beforeAll(async () => {
  server = await startManifestServer();
  server.serve(
    '/versions-manifest.json',
    JSON.stringify([
      manifestRelease('3.55.0', server.url('/archives/missing.tar.gz'), { arch }),
      manifestRelease(served, server.url('/archives/ok.tar.gz'), {
        arch,
        platformVersion: osVersionId(),
      }),
    ]),
  );
  const archive = buildPythonArchive(pyenvPrefix(served), served, { arch });
  server.serve('/archives/ok.tar.gz', archive);
  // A second manifest for the faults: the same build behind a server that fails once, and a
  // download that completes with only half the archive.
  server.serve(
    '/faulty-manifest.json',
    JSON.stringify([
      manifestRelease('3.56.0', server.url('/archives/truncated.tar.gz'), { arch }),
      manifestRelease(served, server.url('/archives/flaky.tar.gz'), {
        arch,
        platformVersion: osVersionId(),
      }),
    ]),
  );
  server.serve('/archives/flaky.tar.gz', archive, [503]);
  server.serve('/archives/truncated.tar.gz', archive.subarray(0, Math.floor(archive.length / 2)));
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
});

/** Everything this file creates (tool caches with a downloaded Python, venv caches) goes here. */
const scratch = mkdtempSync(join(tmpdir(), 'pyci-e2e-python-'));
const tempDir = (name: string) => mkdtempSync(join(scratch, `${name}-`));

/**
 * `dir` emptied and filled with a fresh copy of a fixture. Runs that should share the venv cache
 * use one workspace path, as every job of a repository does on a runner: the venv's path is part
 * of the cache key (a virtualenv cannot move).
 */
function resetWorkspace(dir: string, fixture: string): string {
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, '__tests__/fixtures/projects', fixture), dir, { recursive: true });
  return dir;
}

describe('the manifest source through the bundle', () => {
  it('downloads on a tool cache miss, installs into the tool cache, and the next run hits it', async () => {
    const toolCache = tempDir('tc-download');
    const cacheDir = tempDir('cache-download');
    const token = `pyci-e2e-token-${randomBytes(8).toString('hex')}`;
    const workspace = resetWorkspace(tempDir('ws-download'), 'passing');
    const result = await runAction({
      workspace,
      toolCache,
      inputs: {
        'python-version': minor(served),
        'python-source': 'manifest',
        'manifest-url': server.url('/versions-manifest.json'),
        token,
        'cache-dir': cacheDir,
      },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);

    const prefix = join(toolCache, 'Python', served, arch);
    expect(result.outputs['python-source']).toBe('manifest');
    expect(result.outputs['python-version']).toBe(served);
    expect(result.outputs['python-path'].startsWith(join(prefix, 'bin'))).toBe(true);
    expect(existsSync(join(toolCache, 'Python', served, `${arch}.complete`))).toBe(true);
    expect(result.stdout).toContain(
      `Downloading Python ${served} from ${server.url('/archives/ok.tar.gz')}`,
    );
    expect(server.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/versions-manifest.json', `token ${token}`],
      ['/archives/ok.tar.gz', `token ${token}`],
    ]);

    // The venv is built on the downloaded interpreter, whose archive has no site-packages: its
    // pip (from ensurepip) still reaches the machine's package indexes, since the passing
    // fixture's tests import iniconfig, installed from requirements.txt.
    const venv = join(workspace, '.venv');
    expect(readFileSync(join(venv, 'pyvenv.cfg'), 'utf8')).toContain(
      `home = ${join(prefix, 'bin')}`,
    );
    expect(result.outputs).toMatchObject({ tests: '3', passed: '3', failed: '0', errors: '0' });
    expect(result.warnings).toEqual([]); // e.g. no "Could not upgrade pip in the virtualenv"

    // Exported as setup-python does; GITHUB_PATH lines are prepended in order, the venv last.
    expect(result.env).toMatchObject({
      pythonLocation: prefix,
      Python_ROOT_DIR: prefix,
      Python3_ROOT_DIR: prefix,
      PKG_CONFIG_PATH: join(prefix, 'lib', 'pkgconfig'),
      VIRTUAL_ENV: venv,
    });
    expect(result.env.LD_LIBRARY_PATH?.split(':')[0]).toBe(join(prefix, 'lib'));
    expect(result.path).toEqual([prefix, join(prefix, 'bin'), join(venv, 'bin')]);

    // The token is masked before anything can print it, and never printed otherwise.
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`::add-mask::${token}`);
    expect(lines.filter((line) => line.includes(token))).toEqual([`::add-mask::${token}`]);
    expect(result.stderr).not.toContain(token);
    expect(result.summary).not.toContain(token);
    expect(JSON.stringify(result.env) + JSON.stringify(result.outputs)).not.toContain(token);

    // Second run: a tool cache hit, the server is not asked anything.
    server.requests.length = 0;
    const again = await runAction({
      workspace: resetWorkspace(workspace, 'passing'),
      toolCache,
      inputs: {
        'python-version': minor(served),
        'python-source': 'tool-cache, manifest',
        'manifest-url': server.url('/versions-manifest.json'),
        token,
        'cache-dir': cacheDir,
      },
    });
    expect(again.errors).toEqual([]);
    expect(again.exitCode).toBe(0);
    expect(again.outputs['python-source']).toBe('tool-cache');
    expect(again.outputs['python-version']).toBe(served);
    expect(again.outputs['python-path']).toBe(result.outputs['python-path']);
    expect(again.outputs['cache-hit']).toBe('true');
    expect(again.outputs.passed).toBe('3');
    expect(server.requests).toEqual([]);
  }, 120_000);

  it('a 404 archive is one clear error naming the URL, and leaves no tool cache entry', async () => {
    const toolCache = tempDir('tc-404');
    const token = `pyci-e2e-token-${randomBytes(8).toString('hex')}`;
    const result = await runAction({
      workspace: workspaceFrom('passing'),
      toolCache,
      inputs: {
        'python-version': '3.55',
        'python-source': 'manifest',
        'manifest-url': server.url('/versions-manifest.json'),
        token,
        cache: 'none',
      },
    });
    expectCleanFailure(result);
    expect(result.errors[0]).toContain(
      `Could not download Python 3.55.0 from ${server.url('/archives/missing.tar.gz')}: HTTP 404 Not Found.`,
    );
    expect(server.requests.filter((r) => r.path === '/archives/missing.tar.gz')).toHaveLength(1);
    expect(existsSync(join(toolCache, 'Python', '3.55.0'))).toBe(false);
    expect(result.outputs['python-version']).toBeUndefined();
    expect(result.stdout.split('\n').filter((line) => line.includes(token))).toEqual([
      `::add-mask::${token}`,
    ]);
  });
});

describe('download faults through the bundle', () => {
  const faultyInputs = (version: string) => ({
    'python-version': version,
    'python-source': 'manifest',
    'manifest-url': server.url('/faulty-manifest.json'),
    cache: 'none',
  });

  it('retries an archive download the server fails once (503), then installs', async () => {
    const toolCache = tempDir('tc-flaky');
    const result = await runAction({
      workspace: workspaceFrom('passing'),
      toolCache,
      inputs: faultyInputs(minor(served)),
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ 'python-source': 'manifest', 'python-version': served });
    expect(server.requests.filter((r) => r.path === '/archives/flaky.tar.gz')).toHaveLength(2);
    expect(existsSync(join(toolCache, 'Python', served, `${arch}.complete`))).toBe(true);
  }, 120_000);

  it('a truncated archive is one clear error and leaves no tool cache entry behind', async () => {
    const toolCache = tempDir('tc-truncated');
    const result = await runAction({
      workspace: workspaceFrom('passing'),
      toolCache,
      inputs: faultyInputs('3.56'),
    });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(
      /^Could not install Python 3.56.0 from http:.*truncated.tar.gz: the archive could not be extracted .*it may be truncated\. Nothing was left in the tool cache/,
    );
    expect(existsSync(join(toolCache, 'Python', '3.56.0'))).toBe(false);
    expect(result.outputs['python-version']).toBeUndefined();
  });
});

describe('a tool cache folder whose interpreter is another version', () => {
  const v312 = pyenvVersions().find((v) => v.startsWith('3.12.'))!;
  const mislabelled = '3.12.99';

  /** `Python/3.12.99/<arch>` holding pyenv's 3.11, marker and all: a folder name is only a name. */
  function addMislabelled(toolCache: string): string {
    const dir = join(toolCache, 'Python', mislabelled);
    mkdirSync(dir, { recursive: true });
    symlinkSync(pyenvPrefix(served), join(dir, arch), 'dir');
    writeFileSync(join(dir, `${arch}.complete`), '');
    return join(dir, arch);
  }
  const refusal = (entry: string) =>
    `${entry} holds Python ${served}, not ${mislabelled} as its folder says; ignoring it. Remove that folder or reinstall Python ${mislabelled} there.`;

  it('is skipped with a warning, and the next match is used', async () => {
    const toolCache = tempDir('tc-mislabelled');
    layoutToolCache(toolCache, [v312]);
    const entry = addMislabelled(toolCache);
    const result = await runAction({
      workspace: resetWorkspace(tempDir('ws-mislabelled'), 'passing'),
      toolCache,
      inputs: { 'python-version': '3.12', 'python-source': 'tool-cache', cache: 'none' },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.warnings).toEqual([refusal(entry)]);
    expect(result.outputs['python-version']).toBe(v312);
    expect(result.outputs['python-path'].startsWith(join(toolCache, 'Python', v312))).toBe(true);
    expect(result.outputs.passed).toBe('3');
  }, 120_000);

  it('alone, is not available: one clear error after the warning, and no deploy', async () => {
    const toolCache = tempDir('tc-mislabelled-only');
    const entry = addMislabelled(toolCache);
    const result = await runAction({
      workspace: resetWorkspace(tempDir('ws-mislabelled-only'), 'passing'),
      toolCache,
      inputs: { 'python-version': '3.12', 'python-source': 'tool-cache', cache: 'none' },
    });
    expectCleanFailure(result);
    expect(result.warnings).toEqual([refusal(entry)]);
    expect(result.errors[0]).toMatch(
      /^python-version "3\.12" is not available for \S+\. Available: tool cache none\./,
    );
    expect(result.outputs['python-version']).toBeUndefined();
    expect(result.outputs.deploy).toBe('false');
  });
});

describe('version specs and version files through the bundle', () => {
  const toolCache = tempDir('tc-versions');
  const cachedVersions = layoutToolCache(toolCache);
  /** What every form below resolves to: the machine's newest 3.12. */
  const expected = newestPatch('3.12');

  /**
   * One workspace path and one venv cache for the version file forms, which all resolve to the
   * same interpreter: the first run installs, the others restore it. Each form still proves its
   * own file and line, which the log names. Every workspace has the same pyproject.toml (a cache
   * key file), not installed, so the keys match; with python-version-file pointing elsewhere or
   * a .python-version present, it must not be what decides the version.
   */
  const versionsCache = tempDir('cache-versions');
  const versionsWorkspace = tempDir('ws-versions');
  const pyproject = '[project]\nname = "calc"\nversion = "0"\nrequires-python = ">=3.11,<3.13"\n';

  function runWith(files: Record<string, string>, inputs: Record<string, string>) {
    const workspace = resetWorkspace(versionsWorkspace, 'passing');
    for (const [name, text] of Object.entries({ 'pyproject.toml': pyproject, ...files }))
      writeFileSync(join(workspace, name), text);
    return runAction({
      workspace,
      toolCache,
      inputs: {
        'python-source': 'tool-cache',
        'cache-dir': versionsCache,
        'install-project': 'false',
        ...inputs,
      },
    });
  }

  // pytest needs tomli below 3.11, which the machine's package indexes lack: the forms ask for
  // versions around 3.12 and put an unavailable or older entry first, to show which one wins.
  it.each([
    [
      '.python-version with several lines: the first available wins',
      { '.python-version': '# fallbacks, in order\n3.99.1\n3.12\n3.11\n' },
      { 'python-version-file': '.python-version' },
      'python-version-file .python-version:3',
    ],
    [
      'pyproject.toml requires-python (">=3.11,<3.13")',
      {},
      { 'python-version-file': 'pyproject.toml' },
      'python-version-file pyproject.toml:4',
    ],
    [
      '.tool-versions',
      { '.tool-versions': `nodejs 20.11.0\npython 3.98.0 ${expected} ${served}\n` },
      { 'python-version-file': '.tool-versions' },
      'python-version-file .tool-versions:2',
    ],
    [
      'an empty python-version falls back to .python-version',
      { '.python-version': '3.12\n' },
      { 'python-version': '' },
      'python-version-file .python-version:1',
    ],
  ])(
    '%s',
    async (_title, files, inputs, origin) => {
      const result = await runWith(files, inputs);
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.outputs['python-version']).toBe(expected);
      expect(result.outputs['python-source']).toBe('tool-cache');
      expect(result.stdout).toContain(
        `Using Python ${expected} from the runner tool cache (${join(toolCache, 'Python', expected, arch)}): it is the newest match for`,
      );
      expect(result.stdout).toContain(`(${origin})`);
      expect(result.outputs.passed).toBe('3');
    },
    90_000,
  );

  // One bundle run per failure class; __tests__/config.test.ts covers the other refusals.
  it.each([
    [{ 'python-version': 'banana' }, /^python-version "banana" is not a valid Python version/],
    [
      { 'python-version-file': 'nope/.python-version' },
      /^python-version-file "nope\/\.python-version" does not exist/,
    ],
  ])('rejects %j with one clear error', async (inputs, message) => {
    const result = await runWith({}, inputs);
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(message);
    expect(result.outputs['python-version']).toBeUndefined();
  });

  it.each([
    [
      { '.python-version': '3.12\nbanana\n' },
      { 'python-version-file': '.python-version' },
      /^python-version-file \.python-version:2 "banana" is not a valid Python version/,
    ],
    [
      { '.python-version': 'banana\n' },
      {},
      /^python-version-file \.python-version:1 "banana" is not a valid Python version/,
    ],
    [
      { 'pyproject.toml': '[project]\nname = "calc"\n' },
      { 'python-version-file': 'pyproject.toml' },
      /^python-version-file "pyproject\.toml" has no \[project\] requires-python/,
    ],
    [
      { '.tool-versions': 'nodejs 20.11.0\n' },
      { 'python-version-file': '.tool-versions' },
      /^python-version-file "\.tool-versions" has no "python" line/,
    ],
    [
      { '.python-version': '# nothing yet\n' },
      { 'python-version-file': '.python-version' },
      /^python-version-file "\.python-version" has no version in it/,
    ],
  ])('rejects the version file %j with one clear error', async (files, inputs, message) => {
    const result = await runWith(files, inputs);
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(message);
    expect(result.outputs['python-version']).toBeUndefined();
  });

  describe('a python-version-file that is not a version file shows none of its content', () => {
    const fix =
      'Point python-version-file at a .python-version, pyproject.toml or .tool-versions file.';
    const secret = `ghp_${randomBytes(18).toString('hex')}`;

    it.each([
      ['/etc/passwd', {}, 'root:x:0'],
      ['secrets.env', { 'secrets.env': `API_TOKEN=${secret}\nDEBUG=1\n` }, secret],
      [
        'key.bin',
        { 'key.bin': `3.12\n\u0000${secret}` },
        secret, // binary: not even the first line is shown
      ],
    ])('%s', async (file, files, content) => {
      const result = await runWith(files, { 'python-version-file': file });
      expectCleanFailure(result);
      expect(result.errors[0]).toMatch(
        new RegExp(
          `^python-version-file "${file.replace(/[./]/g, '\\$&')}" is (not a version file|not a text file)`,
        ),
      );
      expect(result.errors[0]).toContain(fix);
      expect(`${result.stdout}${result.stderr}${result.summary}`).not.toContain(content);
      expect(result.outputs.deploy).toBe('false');
    });

    it('an offending line is shown as a short excerpt that cannot issue a command', async () => {
      const result = await runWith(
        { '.tool-versions': `python 3.12 \u001b[2K::warning::pwned%0A${secret}\n` },
        { 'python-version-file': '.tool-versions' },
      );
      expectCleanFailure(result);
      expect(result.warnings).toEqual([]);
      expect(result.errors[0]).toMatch(
        /^python-version-file \.tool-versions:1 "\\u001b\[2K:\\x3awarning:\\x3apwned\\x250Aghp_[0-9a-f]{13}\.\.\." is not a valid Python version: the line has characters/,
      );
      expect(result.stdout).not.toContain(secret);
    });
  });

  it('a valid spec nothing has lists what each source had', async () => {
    const result = await runWith({}, { 'python-version': '4.x' });
    expectCleanFailure(result);
    expect(result.errors[0]).toMatch(/^python-version "4\.x" is not available/);
    expect(result.errors[0]).toContain(`is not available for ${arch}. Available: tool cache `);
    for (const version of cachedVersions.slice(-8)) expect(result.errors[0]).toContain(version);
  });
});
