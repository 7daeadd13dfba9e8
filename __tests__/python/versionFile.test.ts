import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../../src/runner/errors.js';
import {
  looksLikeSpec,
  MAX_VERSION_FILE_BYTES,
  readPyprojectText,
  readPythonVersionText,
  readToolVersionsText,
  readVersionFile,
  safeExcerpt,
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

  /** The message of the InputError that reading `name` (holding `content`) throws. */
  function failure(name: string, content: string | Buffer): string {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
    try {
      read(name);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error(`${name} was read as a version file`);
  }

  const fix =
    'Point python-version-file at a .python-version, pyproject.toml or .tool-versions file.';

  it('a file that is not a version file is an error that shows none of it', () => {
    const passwd =
      'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
    const secrets =
      'API_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz\nDB_PASSWORD="hunter2 hunter2"\n';
    for (const [name, content] of [
      ['passwd', passwd],
      ['secrets.env', secrets],
    ]) {
      const message = failure(name, content);
      expect(message).toBe(
        `python-version-file "${name}" is not a version file: line 1 cannot be a Python version (such as 3.12 or >=3.10); its content is not shown. ${fix}`,
      );
    }
  });

  it('a binary, non-UTF-8 or oversized file is an error that shows none of it', () => {
    expect(failure('bin', Buffer.from([0x33, 0x2e, 0x31, 0x32, 0x00, 0x01, 0x02]))).toBe(
      `python-version-file "bin" is not a text file (it holds binary data). ${fix}`,
    );
    expect(failure('latin1', Buffer.from('3.12 caf\xe9\n', 'latin1'))).toBe(
      `python-version-file "latin1" is not a text file (it is not UTF-8). ${fix}`,
    );
    const big = `3.12\n${'#'.repeat(MAX_VERSION_FILE_BYTES)}\n`;
    expect(failure('big', big)).toBe(
      `python-version-file "big" is larger than ${MAX_VERSION_FILE_BYTES / 1024} KiB, too big for a version file. ${fix}`,
    );
    // The cap is what is read, not what stat says: /proc files report a size of 0.
    expect(statSync('/proc/self/status').size).toBe(0);
    expect(() => readVersionFile('/proc/self/status', dir, { allowPrereleases: false })).toThrow(
      /^python-version-file "\/proc\/self\/status" is not a version file: /,
    );
  });

  it('a .python-version with one line that cannot be a version shows none of it', () => {
    const secret = 'sk_live_0123456789abcdefghijklmnopqrstuvwxyz0123456789';
    const message = failure('mixed.python-version', `3.12\n${secret} trailing words\n`);
    expect(message).toBe(
      `python-version-file "mixed.python-version" is not a version file: line 2 cannot be a Python version (such as 3.12 or >=3.10); its content is not shown. ${fix}`,
    );
    expect(failure('env.python-version', 'DEBUG=1\n')).toMatch(/line 1 cannot be a Python version/);
  });

  it('a .tool-versions or pyproject.toml entry that cannot be a version shows a short, escaped excerpt', () => {
    const secret = 'sk_live_0123456789abcdefghijklmnopqrstuvwxyz0123456789';
    const message = failure('long/.tool-versions', `python 3.12 ${secret} 3.11\n`);
    expect(message).toBe(
      `python-version-file long/.tool-versions:1 "${secret.slice(0, 40)}..." is not a valid Python version: the line has characters or a length no version has. Write one version a line, e.g. 3.12.`,
    );
    expect(message).not.toContain(secret);

    const injected = failure('inject/.tool-versions', 'python \u001b[2K::warning::pwned%0A\n');
    expect(injected).toContain('"\\u001b[2K:\\x3awarning:\\x3apwned\\x250A"');
    expect(injected).not.toMatch(/\p{Cc}/u);
    expect(injected).not.toContain('::');
    expect(injected).not.toContain('%');

    expect(
      failure('shell/pyproject.toml', '[project]\nrequires-python = "$(cat /etc/shadow)"\n'),
    ).toMatch(
      /^python-version-file shell\/pyproject\.toml:2 "\$\(cat" is not a valid Python version: the line has characters/,
    );
  });
});

describe('safeExcerpt and looksLikeSpec', () => {
  it.each([
    ['3.12', '3.12'],
    ['  first second', 'first'],
    ['a::b:::c', 'a:\\x3ab:\\x3a:c'],
    ['100%', '100\\x25'],
    ['back\\slash', 'back\\\\slash'],
    ['bidi\u202eevil', 'bidi\\u202eevil'],
    ['x'.repeat(41), `${'x'.repeat(40)}...`],
    ['', ''],
  ])('safeExcerpt(%j) is %j', (line, shown) => {
    expect(safeExcerpt(line)).toBe(shown);
  });

  it.each([
    ['3.12', true],
    ['>=3.10, <3.13', true],
    ['3.x', true],
    ['pypy3.10', true],
    ['banana', true],
    ['root:x:0:0', false],
    ['KEY=value_1', false],
    ['$(id)', false],
    ['DEBUG=1', false],
    ['==3.12', true],
    ['~=3.10, !=3.10.1', true],
    ['a1b2c3d4e5f6a7b8c9d0e', false],
    ['3'.repeat(65), false],
  ])('looksLikeSpec(%j) is %j', (text, expected) => {
    expect(looksLikeSpec(text)).toBe(expected);
  });
});
