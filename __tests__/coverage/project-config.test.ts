/**
 * The project's coverage configuration: the probe's output read, what pytest-cov is told to
 * measure, the warning filters, the user's --cov-config, and parallel data files. Then the probe
 * itself, in a real venv with coverage.py, on each place a configuration can live.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NO_CONFIG,
  measureWhat,
  parallelFiles,
  parseProbe,
  readProjectConfig,
  userCovConfig,
  warningFilterArgs,
} from '../../src/coverage/project-config.js';
import { coverageVenv } from '../support/venv-fixtures.js';

const INCLUDE = { ...NO_CONFIG, file: '/p/.coveragerc', include: ['src/pkg/*', 'tests/*'] };

describe('reading the probe', () => {
  it('keeps what coverage.py said, and only importable-looking warning classes', () => {
    expect(
      parseProbe(
        'noise\n{"categories": ["coverage.exceptions.CoverageWarning", "x; rm"], "file": "/p/setup.cfg", "source": ["pkg"], "include": [], "parallel": true}\n',
      ),
    ).toEqual({
      file: '/p/setup.cfg',
      source: ['pkg'],
      include: [],
      parallel: true,
      warningCategories: ['coverage.exceptions.CoverageWarning'],
    });
  });

  it('reads no configuration from output it cannot parse, and passes on coverage errors', () => {
    expect(parseProbe('Traceback ...')).toEqual(NO_CONFIG);
    expect(parseProbe('{"categories": [], "error": "bad toml"}')).toEqual({
      ...NO_CONFIG,
      error: 'bad toml',
    });
  });
});

describe('what pytest-cov measures', () => {
  it('lets a configuration with include or source decide (a bare --cov)', () => {
    expect(measureWhat(INCLUDE, [])).toEqual({
      kind: 'config',
      note: 'coverage: measuring what /p/.coveragerc says ([run] include: src/pkg/*, tests/*).',
    });
    expect(measureWhat({ ...NO_CONFIG, source: ['pkg'] }, []).kind).toBe('config');
  });

  it("measures the project's own packages when the configuration does not say", () => {
    expect(measureWhat({ ...NO_CONFIG, file: '/p/tox.ini', parallel: true }, [])).toEqual({
      kind: 'own-packages',
    });
    expect(measureWhat(NO_CONFIG, [])).toEqual({ kind: 'own-packages' });
  });

  it("gives the user's sources precedence, saying when the configuration's include is ignored", () => {
    const over = measureWhat(INCLUDE, ['src/pkg']);
    expect(over).toMatchObject({ kind: 'sources', sources: ['src/pkg'] });
    expect(over.kind === 'sources' && over.note).toMatch(
      /the \[run\] include of \/p\/\.coveragerc is ignored, as coverage\.py warns \(include-ignored\)/,
    );
    // With a source in the configuration, coverage.py ignores include anyway: nothing to say.
    expect(measureWhat({ ...INCLUDE, source: ['pkg'] }, ['src/pkg'])).toEqual({
      kind: 'sources',
      sources: ['src/pkg'],
    });
  });
});

describe('pytest arguments', () => {
  it("shows coverage's and pytest-cov's warnings instead of raising them", () => {
    expect(
      warningFilterArgs({
        ...NO_CONFIG,
        warningCategories: ['coverage.exceptions.CoverageWarning', 'pytest_cov.PytestCovWarning'],
      }),
    ).toEqual([
      '-W',
      'default::coverage.exceptions.CoverageWarning',
      '-W',
      'default::pytest_cov.PytestCovWarning',
    ]);
    expect(warningFilterArgs(NO_CONFIG)).toEqual([]);
  });

  it("finds the user's --cov-config in either spelling, the last one winning", () => {
    expect(userCovConfig(['-x', '--cov-config=ci/cov.ini'])).toBe('ci/cov.ini');
    expect(userCovConfig(['--cov-config', 'a.rc', '--cov-config=b.rc'])).toBe('b.rc');
    expect(userCovConfig(['--cov-config'])).toBeUndefined();
    expect(userCovConfig(['--cov=pkg'])).toBeUndefined();
  });

  it("lists parallel mode's files of our data file only", () => {
    expect(
      parallelFiles('.coverage.all.1a2b3c4d', [
        '.coverage.all.1a2b3c4d',
        '.coverage.all.1a2b3c4d.host.pid42.XyZ',
        '.coverage.all.1a2b3c4d.host.pid7.AbC',
        '.coverage.all.99999999.host.pid1.Q',
        '.coverage.all.1a2b3c4dx',
      ]),
    ).toEqual(['.coverage.all.1a2b3c4d.host.pid42.XyZ', '.coverage.all.1a2b3c4d.host.pid7.AbC']);
  });
});

describe('the probe in a venv with coverage.py', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'pyci-covcfg-'));
  const python = join(scratch, 'venv/bin/python');
  beforeAll(() => {
    coverageVenv(join(scratch, 'venv'));
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function project(name: string, files: Record<string, string>): string {
    const dir = join(scratch, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  }

  it.each([
    ['.coveragerc', '[run]\ninclude =\n  src/pkg/*\nparallel = true\n'],
    ['setup.cfg', '[coverage:run]\ninclude =\n  src/pkg/*\nparallel = true\n'],
    ['tox.ini', '[coverage:run]\ninclude =\n  src/pkg/*\nparallel = true\n'],
    ['pyproject.toml', '[tool.coverage.run]\ninclude = ["src/pkg/*"]\nparallel = true\n'],
  ])('reads include and parallel from %s', async (file, text) => {
    const dir = project(file.replace(/\W/g, '_'), { [file]: text });
    const config = await readProjectConfig(python, dir, undefined);
    expect(config).toMatchObject({
      file: join(dir, file),
      source: [],
      include: ['src/pkg/*'],
      parallel: true,
    });
    expect(config.warningCategories).toContain('coverage.exceptions.CoverageWarning');
  });

  it('reads source and source_pkgs, a --cov-config file, and no configuration', async () => {
    const dir = project('custom', {
      'ci.rc': '[run]\nsource = src/a\nsource_pkgs = b\n',
      '.coveragerc': '[run]\ninclude = other/*\n',
    });
    expect(await readProjectConfig(python, dir, 'ci.rc')).toMatchObject({
      file: join(dir, 'ci.rc'),
      source: ['src/a', 'b'],
      include: [],
    });
    const none = await readProjectConfig(python, project('none', {}), undefined);
    expect(none).toMatchObject({ source: [], include: [], parallel: false });
    expect(none.file).toBeUndefined();
  });
});
