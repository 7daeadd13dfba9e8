import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { includedFiles, resolveRequirementFiles } from '../../src/deps/requirements.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyci-req-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('includedFiles', () => {
  it('finds -r, -c, long forms and = forms, ignoring comments and URLs', () => {
    const text = [
      '-r base.txt',
      '--requirement=dev/more.txt',
      '-c constraints.txt  # pinned',
      '--constraint  c2.txt',
      '# -r commented.txt',
      '-r https://example.org/req.txt',
      'numpy>=2',
    ].join('\n');
    expect(includedFiles('/p/requirements.txt', text)).toEqual([
      '/p/base.txt',
      '/p/dev/more.txt',
      '/p/constraints.txt',
      '/p/c2.txt',
    ]);
  });
});

describe('resolveRequirementFiles', () => {
  it('defaults to requirements.txt when present, and to nothing otherwise', () => {
    const withFile = project({ 'requirements.txt': 'pytest\n' });
    expect(resolveRequirementFiles([], withFile).install).toEqual([
      join(withFile, 'requirements.txt'),
    ]);
    expect(resolveRequirementFiles([], project({ 'setup.py': '' }))).toEqual({
      install: [],
      all: [],
    });
  });

  it('follows nested includes transitively, once each, relative to the including file', () => {
    const dir = project({
      'requirements.txt': '-r reqs/dev.txt\n-c constraints.txt\n',
      'reqs/dev.txt': '-r base.txt\n-r ../requirements.txt\n',
      'reqs/base.txt': 'numpy\n',
      'constraints.txt': 'numpy<3\n',
    });
    const files = resolveRequirementFiles(['requirements.txt'], dir);
    expect(files.install).toEqual([join(dir, 'requirements.txt')]);
    expect(files.all).toEqual([
      join(dir, 'requirements.txt'),
      join(dir, 'reqs/dev.txt'),
      join(dir, 'reqs/base.txt'),
      join(dir, 'constraints.txt'),
    ]);
  });

  it('expands globs, sorted, skipping virtualenvs', () => {
    const dir = project({
      'requirements/b.txt': 'x\n',
      'requirements/a.txt': 'y\n',
      '.venv/requirements/c.txt': 'z\n',
    });
    expect(resolveRequirementFiles(['requirements/*.txt'], dir).install).toEqual([
      join(dir, 'requirements/a.txt'),
      join(dir, 'requirements/b.txt'),
    ]);
  });

  it('names a missing file, an empty glob and a broken include', () => {
    const dir = project({ 'requirements.txt': '-r missing.txt\n' });
    expect(() => resolveRequirementFiles(['nope.txt'], dir)).toThrow(
      /requirements: file not found: "nope.txt"/,
    );
    expect(() => resolveRequirementFiles(['reqs/*.txt'], dir)).toThrow(
      /requirements: no file matches "reqs\/\*.txt"/,
    );
    expect(() => resolveRequirementFiles([], dir)).toThrow(
      /requirements: requirements.txt includes "missing.txt", which does not exist/,
    );
  });
});
