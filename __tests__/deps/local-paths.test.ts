import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { sha256OfFile } from '../../src/deps/cache/hash-files.js';
import { hashLocalPath, hashTree } from '../../src/deps/cache/hash-tree.js';
import { resolveRequirementFiles } from '../../src/deps/requirements.js';
import { collectLocalPaths } from '../../src/deps/cache/key-files.js';
import { localPathsInArgs, localPathsInFile } from '../../src/deps/local-paths.js';

describe('localPathsInFile', () => {
  const wd = '/ws/proj';
  const file = '/ws/proj/reqs/requirements.txt';

  it('finds every form pip installs a local path from, relative to the working directory', () => {
    const text = [
      './mylib',
      '../shared[extra] ; python_version >= "3.8"',
      '-e ../pkg',
      '--editable=./other',
      'vendor/thing-1.0-py3-none-any.whl --hash=sha256:abc',
      'file:///opt/wheels/x-1.0.tar.gz',
      'named @ file:///srv/named',
      'spaced@file:///srv/spaced#egg=spaced',
      '/abs/lib',
      'long \\',
      '  ./continued',
      '# ./commented-out',
      'numpy>=2  # ./not-a-path',
    ].join('\n');
    expect(localPathsInFile(file, text, wd)).toEqual([
      '/ws/proj/mylib',
      '/ws/shared',
      '/ws/pkg',
      '/ws/proj/other',
      '/ws/proj/vendor/thing-1.0-py3-none-any.whl',
      '/opt/wheels/x-1.0.tar.gz',
      '/srv/named',
      '/srv/spaced',
      '/abs/lib',
    ]);
  });

  it('ignores names, URLs, VCS links, other options and variables', () => {
    const text = [
      'requests[socks]>=2',
      'pkg @ https://example.org/pkg-1.0.tar.gz',
      'git+https://github.com/o/r.git#egg=r',
      '-e git+https://github.com/o/r.git#egg=r',
      '--index-url https://example.org/simple',
      '-r ./other.txt',
      '-c ./constraints.txt',
      '-f https://example.org/links',
      '${HOME}/lib',
    ].join('\n');
    expect(localPathsInFile(file, text, wd)).toEqual([]);
  });

  it("reads --find-links against the file's folder when it exists there, else the working directory", () => {
    const text = '--find-links wheels\n-f=./more\n';
    expect(localPathsInFile(file, text, wd, (p) => p === '/ws/proj/reqs/wheels')).toEqual([
      '/ws/proj/reqs/wheels',
      '/ws/proj/more',
    ]);
  });

  it('finds -f and -e in pip-args', () => {
    expect(
      localPathsInArgs(['--find-links', 'wheels', '-q', '--find-links=/w2', '-e', '../x'], wd),
    ).toEqual(['/ws/proj/wheels', '/w2', '/ws/x']);
  });
});

describe('collectLocalPaths', () => {
  it('gathers files, packages and pip-args; leaves out the project when it is installed', () => {
    const wd = mkdtempSync(join(tmpdir(), 'pyci-local-'));
    writeFileSync(join(wd, 'requirements.txt'), '-e .\n./mylib\n');
    const sources = {
      workingDirectory: wd,
      requirementFiles: [join(wd, 'requirements.txt')],
      packages: ['./extra', 'idna'],
      pipArgs: ['-f', 'wheels'],
    };
    expect(collectLocalPaths({ ...sources, projectInstalled: true })).toEqual(
      [join(wd, 'extra'), join(wd, 'mylib'), join(wd, 'wheels')].sort(),
    );
    expect(collectLocalPaths({ ...sources, projectInstalled: false })).toContain(wd);
  });
});

describe('hashTree', () => {
  function tree(): string {
    const dir = mkdtempSync(join(tmpdir(), 'pyci-tree-'));
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    writeFileSync(join(dir, 'src/lib/__init__.py'), 'X = 1\n');
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "lib"\n');
    return dir;
  }

  it('changes with content, names, the executable bit and symlink targets', async () => {
    const dir = tree();
    const first = await hashTree(dir);
    expect(await hashTree(dir)).toBe(first);
    writeFileSync(join(dir, 'src/lib/__init__.py'), 'X = 2\n');
    const second = await hashTree(dir);
    expect(second).not.toBe(first);
    writeFileSync(join(dir, 'src/lib/new.py'), '');
    const third = await hashTree(dir);
    expect(third).not.toBe(second);
    execFileSync('chmod', ['+x', join(dir, 'src/lib/new.py')]);
    const fourth = await hashTree(dir);
    expect(fourth).not.toBe(third);
    symlinkSync('new.py', join(dir, 'src/lib/link.py'));
    expect(await hashTree(dir)).not.toBe(fourth);
  });

  it('ignores build outputs, environments, VCS data and excluded folders; skips FIFOs', async () => {
    const dir = tree();
    const before = await hashTree(dir);
    for (const sub of [
      '.git',
      'build',
      'dist',
      '__pycache__',
      '.venv',
      '.tox',
      '.nox',
      'node_modules',
      'src/lib.egg-info',
      'my-venv',
    ]) {
      mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, sub, 'junk'), String(Math.random()));
    }
    writeFileSync(join(dir, 'src/lib/__init__.cpython-311.pyc'), 'bytes');
    execFileSync('mkfifo', [join(dir, 'src/lib/pipe')]);
    expect(await hashTree(dir, [join(dir, 'my-venv')])).toBe(before);
  });

  it('hashes a single file by its bytes and says when a path is missing', async () => {
    const dir = tree();
    expect(await hashLocalPath(join(dir, 'pyproject.toml'))).toMatch(/^file:[0-9a-f]{64}$/);
    expect(await hashLocalPath(join(dir, 'gone'))).toBe('missing');
    expect(await hashLocalPath(dir)).toMatch(/^tree:[0-9a-f]{64}$/);
  });
});

describe('non-regular files never reach a read', () => {
  it('the hasher refuses a FIFO; an -r include naming one is an error naming requirements', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyci-fifo-'));
    execFileSync('mkfifo', [join(dir, 'pipe.txt')]);
    await expect(sha256OfFile(join(dir, 'pipe.txt'))).rejects.toThrow(/not a regular file/);
    writeFileSync(join(dir, 'requirements.txt'), '-r pipe.txt\n');
    expect(() => resolveRequirementFiles(['requirements.txt'], dir)).toThrow(
      /^requirements: requirements\.txt includes "pipe\.txt", which is not a regular file/,
    );
  });
});
