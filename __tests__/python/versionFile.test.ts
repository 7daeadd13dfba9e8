import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/runner/errors.js';
import {
  readPyprojectText,
  readPythonVersionText,
  readToolVersionsText,
  readVersionFile,
  versionFileKind,
} from '../../src/python/versionFile.js';

describe('version file readers', () => {
  it('.python-version: one spec a line, comments and blank lines ignored', () => {
    expect(readPythonVersionText('# pinned\n3.12.1\n\n  3.11  # fallback\r\n')).toEqual([
      { text: '3.12.1', line: 2 },
      { text: '3.11', line: 4 },
    ]);
  });

  it('.tool-versions: the python line, several versions', () => {
    expect(
      readToolVersionsText('nodejs 20.1.0\n# comment\npython 3.12.1 3.11.7 # note\nruby 3.3\n'),
    ).toEqual([
      { text: '3.12.1', line: 3 },
      { text: '3.11.7', line: 3 },
    ]);
    expect(readToolVersionsText('nodejs 20\n')).toEqual([]);
  });

  it('pyproject.toml: [project].requires-python only', () => {
    const text = [
      '[build-system]',
      'requires-python = ">=2.7"  # not this table',
      '',
      '[project]',
      'name = "demo"',
      "requires-python = '>=3.10,<3.13' # comment",
      '',
      '[tool.poetry.dependencies]',
      'python = "^3.9"',
    ].join('\n');
    expect(readPyprojectText(text)).toEqual([{ text: '>=3.10,<3.13', line: 6 }]);
    expect(
      readPyprojectText('[project]\nname = "x"\n[tool.x]\nrequires-python = ">=3.8"\n'),
    ).toEqual([]);
    expect(readPyprojectText('[project]\n"requires-python" = "  >=3.9  "\n')).toEqual([
      { text: '>=3.9', line: 2 },
    ]);
  });

  it('knows the kind by file name', () => {
    expect(versionFileKind('/a/pyproject.toml')).toBe('pyproject');
    expect(versionFileKind('sub/.tool-versions')).toBe('tool-versions');
    expect(versionFileKind('.python-version')).toBe('python-version');
    expect(versionFileKind('runtime.txt')).toBe('python-version');
  });
});

describe('readVersionFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pyver-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = (file: string, allowPrereleases = false) =>
    readVersionFile(file, dir, { allowPrereleases });

  it('reads each form into specs in file order, naming file and line', () => {
    writeFileSync(join(dir, '.python-version'), '3.99\n3.12\n');
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nrequires-python = ">=3.10"\n');
    writeFileSync(join(dir, '.tool-versions'), 'python 3.12.1 3.11.7\n');
    expect(read('.python-version').map((s) => [s.raw, s.origin])).toEqual([
      ['3.99', 'python-version-file .python-version:1'],
      ['3.12', 'python-version-file .python-version:2'],
    ]);
    const [pyproject] = read('pyproject.toml');
    expect(pyproject.raw).toBe('>=3.10');
    expect(pyproject.origin).toBe('python-version-file pyproject.toml:2');
    expect(read(join(dir, '.tool-versions')).map((s) => s.raw)).toEqual(['3.12.1', '3.11.7']);
  });

  it('a missing file is an error naming python-version-file and where it looked', () => {
    const attempt = () => read('nope/.python-version');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(
      `python-version-file "nope/.python-version" does not exist (looked for ${join(dir, 'nope/.python-version')})`,
    );
  });

  it('a file with no version says what to add', () => {
    writeFileSync(join(dir, 'empty.python-version'), '# nothing\n\n');
    writeFileSync(join(dir, 'sub.toml'), '');
    expect(() => read('empty.python-version')).toThrow(/has no version in it/);
    const other = mkdtempSync(join(tmpdir(), 'pyver-'));
    writeFileSync(join(other, 'pyproject.toml'), '[project]\nname = "x"\n');
    writeFileSync(join(other, '.tool-versions'), 'nodejs 20\n');
    expect(() => readVersionFile('pyproject.toml', other, { allowPrereleases: false })).toThrow(
      /pyproject.toml" has no \[project\] requires-python/,
    );
    expect(() => readVersionFile('.tool-versions', other, { allowPrereleases: false })).toThrow(
      /has no "python" line/,
    );
    rmSync(other, { recursive: true, force: true });
  });

  it('a bad line is an error naming the file and line', () => {
    writeFileSync(join(dir, 'bad.python-version'), '3.12\nbanana\n');
    expect(() => read('bad.python-version')).toThrow(
      /^python-version-file bad\.python-version:2 "banana" is not a valid Python version/,
    );
    writeFileSync(join(dir, 'pre.python-version'), '3.14.0b1\n');
    expect(() => read('pre.python-version')).toThrow(/allow-prereleases/);
    expect(read('pre.python-version', true)[0].range).toBe('3.14.0-beta.1');
  });
});
