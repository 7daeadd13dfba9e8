/**
 * setupPython against real sources: a runner-style tool cache laid out from pyenv, and the
 * interpreters pyenv and PATH really have. No network: the manifest source is left out, or
 * points at a closed port to show the stage carries on without it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/runner/errors.js';
import { setupPython, resolveSpecs } from '../../src/python/setup.js';
import { layoutToolCache, machineArch, pyenvPrefix, pyenvVersions } from '../../tools/toolcache.js';
import { collectingLog, reportedVersion, request } from '../support/python-fixtures.js';

const arch = machineArch();
const versions = pyenvVersions();
const minor = (version: string) => version.split('.').slice(0, 2).join('.');
// The two newest go into the tool cache; an older one stays only "on the machine".
const [older, newest] = versions.slice(-2);
const onlyOnMachine = versions
  .filter((v) => minor(v) !== minor(older) && minor(v) !== minor(newest))
  .at(-1)!;

let root: string;
let toolCacheDir: string;
let work: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pyresolve-'));
  toolCacheDir = join(root, 'toolcache');
  work = join(root, 'project');
  mkdirSync(work);
  layoutToolCache(toolCacheDir, [older, newest], arch);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project folder of its own for each test, holding the given files. */
function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(work, 'p-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const base = () => request({ toolCacheDir, workingDirectory: project(), architecture: arch });

describe('the tool cache', () => {
  it('is used first, newest match, with the reason in the log', async () => {
    const log = collectingLog();
    const interpreter = await setupPython({ ...base(), versionSpec: minor(older), log });
    expect(interpreter.source).toBe('tool-cache');
    expect(interpreter.version).toBe(older);
    expect(interpreter.prefix).toBe(join(toolCacheDir, 'Python', older, arch));
    expect(reportedVersion(interpreter.executable)).toBe(older);
    expect(log.text()).toContain(
      `info: Using Python ${older} from the runner tool cache (${interpreter.prefix}): it is the newest match for "${minor(older)}" (python-version).`,
    );
  });

  it('gives the newest 3.x when nothing asks for a version', async () => {
    const interpreter = await setupPython(base());
    expect([interpreter.source, interpreter.version]).toEqual(['tool-cache', newest]);
    expect(interpreter.reason).toContain('python-version (empty, so the newest 3.x)');
  });

  it('ignores an entry without its .complete marker', async () => {
    const halfDir = mkdtempSync(join(root, 'half-'));
    layoutToolCache(halfDir, [older, newest], arch);
    rmSync(join(halfDir, 'Python', newest, `${arch}.complete`));
    const log = collectingLog();
    const interpreter = await setupPython({
      ...base(),
      toolCacheDir: halfDir,
      versionSpec: '3.x',
      sources: ['tool-cache'],
      log,
    });
    expect(interpreter.version).toBe(older);
    expect(log.text()).toContain(
      `has no ${arch}.complete marker (an unfinished install); ignoring it`,
    );
  });
});

describe('a tool cache entry is probed before use', () => {
  /** A tool cache with `older` and a newer-named folder whose bin/python is `python`. */
  function withImpostor(python: (dir: string) => void): { dir: string; entry: string } {
    const dir = mkdtempSync(join(root, 'impostor-'));
    layoutToolCache(dir, [older], arch);
    const entry = join(dir, 'Python', '3.99.0', arch);
    mkdirSync(join(entry, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'Python', '3.99.0', `${arch}.complete`), '');
    python(join(entry, 'bin'));
    return { dir, entry };
  }

  it('skips a folder holding another version, with a warning, for the next match', async () => {
    const { dir, entry } = withImpostor((bin) =>
      symlinkSync(join(pyenvPrefix(older), 'bin', 'python3'), join(bin, 'python')),
    );
    const log = collectingLog();
    const request = { ...base(), toolCacheDir: dir, versionSpec: '3.x', log };
    const interpreter = await setupPython({ ...request, sources: ['tool-cache'] });
    expect(interpreter.version).toBe(older);
    expect(reportedVersion(interpreter.executable)).toBe(older);
    expect(log.lines).toContain(
      `warning: ${entry} holds Python ${older}, not 3.99.0 as its folder says; ignoring it. Remove that folder or reinstall Python 3.99.0 there.`,
    );
  });

  it('skips a folder whose python does not run', async () => {
    const { dir, entry } = withImpostor((bin) =>
      writeFileSync(join(bin, 'python'), '#!/bin/sh\nexit 3\n', { mode: 0o755 }),
    );
    const log = collectingLog();
    const interpreter = await setupPython({
      ...base(),
      toolCacheDir: dir,
      versionSpec: '3.x',
      sources: ['tool-cache'],
      log,
    });
    expect(interpreter.version).toBe(older);
    expect(log.lines).toContain(
      `warning: ${join(entry, 'bin', 'python')} does not run as a Python interpreter; ignoring ${entry}. Remove that folder or reinstall Python 3.99.0 there.`,
    );
  });
});

describe('interpreters on the machine', () => {
  it('are used when the tool cache has no match (pyenv)', async () => {
    // A pyenv root of its own (GitHub's runners have none), and nothing on PATH.
    const pyenv = mkdtempSync(join(root, 'pyenv-'));
    mkdirSync(join(pyenv, 'versions'));
    const prefix = join(pyenv, 'versions', onlyOnMachine);
    symlinkSync(pyenvPrefix(onlyOnMachine), prefix, 'dir');
    const log = collectingLog();
    const interpreter = await setupPython({
      ...base(),
      versionSpec: minor(onlyOnMachine),
      env: { PATH: '', PYENV_ROOT: pyenv },
      log,
    });
    expect(interpreter.source).toBe('system');
    expect(interpreter.version).toBe(onlyOnMachine);
    expect(reportedVersion(interpreter.executable)).toBe(onlyOnMachine);
    expect(interpreter.prefix).toBe(prefix);
    expect(log.text()).toContain(
      `No match for "${minor(onlyOnMachine)}" (python-version) in the tool cache.`,
    );
    expect(interpreter.reason).toMatch(
      /^Using Python .* found in pyenv \(.*\): it is the newest match .*; the tool cache had none\.$/,
    );
  });

  it('are found on PATH, and a virtualenv on PATH is not taken for an installation', async () => {
    const bin = mkdtempSync(join(root, 'bin-'));
    symlinkSync(join(pyenvPrefix(onlyOnMachine), 'bin', 'python3'), join(bin, 'python3'));
    const venv = join(root, `venv-${Date.now()}`);
    execFileSync(join(pyenvPrefix(older), 'bin', 'python3'), ['-m', 'venv', '--without-pip', venv]);
    const log = collectingLog();
    const env = { PATH: [join(venv, 'bin'), bin].join(':'), PYENV_ROOT: join(root, 'no-pyenv') };
    const found = await setupPython({
      ...base(),
      versionSpec: minor(onlyOnMachine),
      sources: ['system'],
      env,
      log,
    });
    expect(found.executable).toBe(join(bin, 'python3'));
    expect(found.reason).toContain(`found on PATH (${join(bin, 'python3')})`);
    expect(log.text()).toContain(
      `Skipping ${join(venv, 'bin', 'python3')}: it is inside the virtualenv ${venv}`,
    );
    await expect(
      setupPython({
        ...base(),
        versionSpec: minor(older),
        sources: ['system'],
        env,
        log: collectingLog(),
      }),
    ).rejects.toThrow(
      `python-version "${minor(older)}" is not available for ${arch}. Available: system ${onlyOnMachine}.`,
    );
  });

  it('come after the tool cache unless python-source says otherwise', async () => {
    const interpreter = await setupPython({
      ...base(),
      versionSpec: minor(newest),
      sources: ['system', 'tool-cache'],
    });
    expect(interpreter.source).toBe('system');
  });
});

describe('version files', () => {
  it('.python-version in the working directory: the first available line wins', async () => {
    const dir = project({
      '.python-version': `# try the future first\n3.99\n${minor(onlyOnMachine)}\n${minor(newest)}\n`,
    });
    const log = collectingLog();
    const interpreter = await setupPython({ ...base(), workingDirectory: dir, log });
    expect(interpreter.version).toBe(onlyOnMachine);
    expect(log.text()).toContain(
      'No match for "3.99" (python-version-file .python-version:2) in the system.',
    );
  });

  it('pyproject.toml requires-python, through python-version-file', async () => {
    const dir = project({
      'pyproject.toml': `[project]\nname = "demo"\nrequires-python = "==${minor(older)}.*"\n`,
    });
    const interpreter = await setupPython({
      ...base(),
      workingDirectory: dir,
      versionFile: 'pyproject.toml',
    });
    expect([interpreter.source, interpreter.version]).toEqual(['tool-cache', older]);
    expect(interpreter.reason).toContain('(python-version-file pyproject.toml:3)');
  });

  it('.tool-versions, several versions', async () => {
    const dir = project({ '.tool-versions': `nodejs 20.11.0\npython 3.98.0 ${onlyOnMachine}\n` });
    const interpreter = await setupPython({
      ...base(),
      workingDirectory: dir,
      versionFile: '.tool-versions',
    });
    expect(interpreter.version).toBe(onlyOnMachine);
  });

  it('python-version wins over python-version-file, with a warning', async () => {
    const dir = project({ '.python-version': `${minor(onlyOnMachine)}\n` });
    const log = collectingLog();
    const interpreter = await setupPython({
      ...base(),
      workingDirectory: dir,
      versionSpec: minor(older),
      versionFile: '.python-version',
      log,
    });
    expect(interpreter.version).toBe(older);
    expect(log.text()).toContain(
      'warning: Both python-version and python-version-file are set; using python-version',
    );
  });

  it('a missing python-version-file is an InputError', async () => {
    await expect(
      setupPython({ ...base(), versionFile: 'missing/.python-version' }),
    ).rejects.toThrow(/^python-version-file "missing\/\.python-version" does not exist/);
  });

  it('resolveSpecs turns each line of python-version into a fallback', () => {
    expect(resolveSpecs({ ...base(), versionSpec: '3.99\n3.12\n' }).map((s) => s.raw)).toEqual([
      '3.99',
      '3.12',
    ]);
  });
});

describe('when nothing matches', () => {
  it('lists what each source had and says how to fix it', async () => {
    const attempt = setupPython({ ...base(), versionSpec: '3.99', sources: ['tool-cache'] });
    await expect(attempt).rejects.toThrow(InputError);
    await expect(
      setupPython({ ...base(), versionSpec: '3.99', sources: ['tool-cache'] }),
    ).rejects.toThrow(
      `python-version "3.99" is not available for ${arch}. Available: tool cache ${newest}, ${older}. ` +
        'Fix: ask for one of these versions (or a range that includes one), or add a source with python-source.',
    );
  });

  it('names the version file and all its lines', async () => {
    const dir = project({ '.python-version': '3.98\n3.99\n' });
    await expect(
      setupPython({ ...base(), workingDirectory: dir, sources: ['tool-cache'] }),
    ).rejects.toThrow(/^python-version-file \.python-version \(3\.98, 3\.99\) is not available/);
  });

  it('another architecture is a different tool cache entry', async () => {
    const other = arch === 'arm64' ? 'x64' : 'arm64';
    await expect(
      setupPython({
        ...base(),
        versionSpec: minor(newest),
        architecture: other,
        sources: ['tool-cache'],
      }),
    ).rejects.toThrow(`is not available for ${other}. Available: tool cache none.`);
  });

  it('an unreachable manifest is reported and the other sources still answer', async () => {
    const log = collectingLog();
    const interpreter = await setupPython({
      ...base(),
      versionSpec: minor(onlyOnMachine),
      sources: ['tool-cache', 'manifest', 'system'],
      log,
    });
    expect(interpreter.source).toBe('system');
    expect(log.text()).toMatch(
      /warning: Could not download the Python versions manifest from http:\/\/127\.0\.0\.1:9\/versions-manifest\.json: .*ECONNREFUSED/,
    );
  });

  it('rejects a bad spec before looking anywhere', async () => {
    await expect(setupPython({ ...base(), versionSpec: 'banana' })).rejects.toThrow(
      /^python-version "banana" is not a valid Python version/,
    );
  });
});
