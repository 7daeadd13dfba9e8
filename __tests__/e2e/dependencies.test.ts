/**
 * What ends up in the virtualenv, through the real bundle (dist/index.js) started as the runner
 * starts it: requirement files with nested -r/-c includes and globs, the project itself (a real
 * setuptools build from the local index: plain, editable, with extras), PEP 735 dependency groups
 * through pip's --group, extra packages and pip-args, alone and combined. Every assertion about
 * the environment asks the venv's own python afterwards. Bad inputs each give one clean error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceFrom } from '../support/fixtures.js';
import { expectCleanFailure } from '../support/assertions.js';
import { runAction, type RunResult } from '../../tools/harness.js';
import { layoutToolCache } from '../../tools/toolcache.js';

const root = mkdtempSync(join(tmpdir(), 'pyci-e2e-deps-'));
const toolCache = join(root, 'tool-cache');
layoutToolCache(toolCache);
/** Where the local cache would go without cache-dir: next to the tool cache. */
const defaultCacheDir = join(root, 'pyci-cache');

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run extends RunResult {
  /** Runs code in the venv's python and returns its stdout, trimmed. */
  py(code: string): string;
  /** The pip commands the action ran, as echoed in the log (`[command]... -m pip ...`). */
  pipCommands: string[];
}

/** A pip run: `python -m pip ARGS`, or the venv's seeding pip run from its wheel (`python …/pip-X.whl/pip ARGS`). */
const PIP_RUN = / (?:-m pip|\S+\.whl\/pip) (.*)$/;

async function run(
  fixture: string | { workspace: string },
  inputs: Record<string, string> = {},
): Promise<Run> {
  const workspace = typeof fixture === 'string' ? workspaceFrom(fixture) : fixture.workspace;
  const result = await runAction({
    workspace,
    toolCache,
    // No cache: every run here must really install.
    inputs: { 'python-version': '3.11', 'python-source': 'tool-cache', cache: 'none', ...inputs },
  });
  const python = join(result.workspace, '.venv', 'bin', 'python');
  return {
    ...result,
    py: (code) => execFileSync(python, ['-c', code], { encoding: 'utf8' }).trim(),
    pipCommands: result.stdout
      .split('\n')
      .filter((line) => line.startsWith('[command]'))
      .map((line) => PIP_RUN.exec(line)?.[1])
      .filter((args) => args !== undefined)
      // The seeding pip installs Python's own bundled setuptools wheel (3.11): name it, not its path.
      .map((args) => args.replace(/\S+\/setuptools-\S+\.whl/, '<bundled setuptools>')),
  };
}

/** Top-level names `import` finds in the venv, from a list of candidates. */
function importable(result: Run, modules: string[]): string[] {
  const code = `import importlib.util as u; print(' '.join(m for m in ${JSON.stringify(modules)} if u.find_spec(m)))`;
  return result.py(code).split(' ').filter(Boolean);
}

/** The "Installing ..." lines of the log, in order. */
function installSteps(result: RunResult): string[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('Installing ') && !line.startsWith('Installing collected'))
    .map((line) => line.slice('Installing '.length));
}

function expectPassed(result: RunResult, tests: string): void {
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ tests, passed: tests, failed: '0', errors: '0' });
}

function expectCleanInputError(result: RunResult, message: RegExp): void {
  expectCleanFailure(result);
  expect(result.errors[0]).toMatch(message);
  expect(result.outputs.tests).toBeUndefined(); // stopped before pytest
}

const CANDIDATES = ['six', 'iniconfig', 'idna', 'attrs', 'tomli_w', 'greet', 'pytest'];

describe('each source alone', () => {
  it('requirements: nested -r/-c includes and a glob', async () => {
    const result = await run('deps-requirements', {
      requirements: 'requirements/base.txt\nrequirements/extra/*.txt',
    });
    expectPassed(result, '2');
    // base.txt -> -r common.txt (iniconfig), -c constraints.txt (six==1.17.0); the glob adds 2.
    expect(importable(result, CANDIDATES).sort()).toEqual(
      ['attrs', 'idna', 'iniconfig', 'pytest', 'six'].sort(),
    );
    expect(result.py('import six; print(six.__version__)')).toBe('1.17.0');
    expect(installSteps(result)).toEqual(['requirements (3 files), pytest']);
    const ws = result.workspace;
    expect(result.pipCommands).toContainEqual(
      `install -r ${ws}/requirements/base.txt -r ${ws}/requirements/extra/attrs.txt -r ${ws}/requirements/extra/idna.txt pytest`,
    );
    // pytest is not among the requirements: the action added it and said so.
    expect(result.notices).toContainEqual(expect.stringMatching(/^pytest is not among/));
    // cache: none (every run in this file): no key, no hit, nothing saved anywhere.
    expect(result.outputs['cache-key']).toBe('');
    expect(result.outputs['cache-hit']).toBe('false');
    expect(result.stdout).not.toMatch(/cache entry|Saved .* cache/i);
    expect(existsSync(defaultCacheDir)).toBe(false);
  });

  it('the project (setuptools backend from the local index), installed plain', async () => {
    const result = await run('deps-project');
    expectPassed(result, '1');
    // pyproject.toml names pytest (in a group not installed): the check after the install finds it
    // missing and resolves everything again with it.
    expect(installSteps(result)).toEqual(['the project', 'the project, pytest']);
    expect(importable(result, CANDIDATES).sort()).toEqual(
      ['greet', 'iniconfig', 'pytest', 'six'].sort(),
    );
    // A regular install copies the package into site-packages.
    expect(result.py('import greet; print(greet.__file__)')).toMatch(
      /\/\.venv\/lib\/python3\.11\/site-packages\/greet\/__init__\.py$/,
    );
  });

  it('dependency groups through pip --group (pip upgraded first, new enough for it)', async () => {
    const result = await run('deps-project', {
      'install-project': 'false',
      'dependency-groups': 'test',
    });
    expectPassed(result, '1');
    expect(result.pipCommands[0]).toBe('install --upgrade pip <bundled setuptools>');
    // --group arrived in pip 25.1.
    const [major, minor] = result.py('import pip; print(pip.__version__)').split('.').map(Number);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(2501);
    expect(result.pipCommands).toContainEqual('install --group test');
    // `test` = pytest + {include-group = "lint"} (attrs); the project itself is not installed
    // (its tests find it through pytest's pythonpath setting). iniconfig comes with pytest.
    expect(importable(result, CANDIDATES).sort()).toEqual(['attrs', 'iniconfig', 'pytest'].sort());
    expect(result.notices).not.toContainEqual(expect.stringMatching(/^pytest is not among/));
  });
});

describe('packages and pip-args', () => {
  it('packages: extra specifiers, one per line, in the same resolve as the requirements', async () => {
    const result = await run('deps-requirements', {
      requirements: 'requirements/base.txt',
      packages: 'idna\nattrs>=20',
    });
    expectPassed(result, '2');
    expect(installSteps(result)).toEqual([
      'requirements (1 file), packages idna, attrs>=20, pytest',
    ]);
    expect(result.pipCommands).toContainEqual(
      `install -r ${result.workspace}/requirements/base.txt idna attrs>=20 pytest`,
    );
    expect(importable(result, CANDIDATES).sort()).toEqual(
      ['attrs', 'idna', 'iniconfig', 'pytest', 'six'].sort(),
    );
  });

  it('all sources combined (the project editable, with extras), in the documented order, with pip-args on every pip install', async () => {
    const workspace = workspaceFrom('deps-project');
    // Requirement files next to the project: one including another.
    writeFileSync(join(workspace, 'requirements.txt'), '-r requirements-dev.txt\n');
    writeFileSync(join(workspace, 'requirements-dev.txt'), 'iniconfig\n');
    const log = join(mkdtempSync(join(tmpdir(), 'pyci-piplog-')), 'pip.log');
    const result = await run(
      { workspace },
      {
        requirements: 'requirements.txt',
        editable: 'true',
        extras: 'toml',
        'dependency-groups': 'lint',
        packages: 'idna',
        // Split without a shell: the quoted path stays one argument.
        'pip-args': `--progress-bar off --log "${log}"`,
      },
    );
    expectPassed(result, '1');
    // One resolve in the documented order; pyproject.toml names pytest only in a group not
    // installed, so the check after it finds pytest missing and resolves everything again with it.
    const all =
      'requirements (1 file), the project with extras toml (editable), dependency groups lint, packages idna';
    expect(installSteps(result)).toEqual([all, `${all}, pytest`]);
    const pipArgs = `--progress-bar off --log ${log}`;
    const targets = `-r ${workspace}/requirements.txt -e ${workspace}[toml] --group lint idna`;
    expect(result.pipCommands).toEqual([
      `install --upgrade pip <bundled setuptools> ${pipArgs}`,
      `install ${targets} ${pipArgs}`,
      `install ${targets} pytest ${pipArgs}`,
    ]);
    // pip itself received them: its --log file has one session per pip run (sessions of the
    // pip that installs the build backend are indented: they are not ours).
    const sessions = readFileSync(log, 'utf8').match(/^\S+ Using pip \d/gm) ?? [];
    expect(sessions).toHaveLength(3);
    expect(importable(result, CANDIDATES).sort()).toEqual(
      ['attrs', 'greet', 'idna', 'iniconfig', 'pytest', 'six', 'tomli_w'].sort(),
    );
    expect(result.py('import greet; print(greet.__file__)')).toBe(
      join(workspace, 'src/greet/__init__.py'),
    );
    rmSync(log, { force: true });
  });
});

describe("the project under test is the checkout, never the index's copy", () => {
  // The fixture is named `pluggy` at 0.0.1.dev1 (what setuptools-scm gives a shallow clone without
  // tags), and pytest needs pluggy>=1.5: a pip run after the project's would swap in the index's copy.
  it.concurrent(
    'pytest itself needs a newer copy of the project: a clear error, no tests run',
    async () => {
      const result = await run('deps-shadowed');
      expectCleanInputError(
        result,
        /^install-project: the checkout's pluggy 0\.0\.1\.dev1 does not satisfy .*pytest [\d.]+ depends on pluggy.*fetch-depth: 0/,
      );
      // One resolve: nothing was installed from the index in place of the checkout.
      expect(
        result.pipCommands.filter((args) => !args.startsWith('install --upgrade pip')),
      ).toEqual([`install ${result.workspace} pytest`]);
    },
  );

  it.concurrent(
    'a requirement file asks for a newer copy of the project: the error names it',
    async () => {
      const workspace = workspaceFrom('deps-shadowed');
      writeFileSync(join(workspace, 'requirements.txt'), 'pluggy>=1\n');
      const result = await run({ workspace });
      expectCleanInputError(
        result,
        /^install-project: the checkout's pluggy 0\.0\.1\.dev1 does not satisfy .*pluggy>=1.*requirements/,
      );
    },
  );
});

describe('bad inputs: one clean error naming the culprit', () => {
  // Those that need pip run concurrently (each in its own workspace): they mostly wait on pip.
  it('a requirements file that does not exist', async () => {
    const result = await run('deps-requirements', { requirements: 'requirements/nope.txt' });
    expectCleanInputError(result, /^requirements: file not found: "requirements\/nope\.txt"/);
  });

  it('a glob that matches nothing', async () => {
    const result = await run('deps-requirements', { requirements: 'requirements/*.in' });
    expectCleanInputError(result, /^requirements: no file matches "requirements\/\*\.in"/);
  });

  it('an -r include that does not exist', async () => {
    const workspace = workspaceFrom('deps-requirements');
    writeFileSync(join(workspace, 'requirements/common.txt'), 'iniconfig\n-r gone.txt\n');
    const result = await run({ workspace }, { requirements: 'requirements/base.txt' });
    expectCleanInputError(
      result,
      /^requirements: requirements\/common\.txt includes "requirements\/gone\.txt", which does not exist/,
    );
  });

  it('install-project: true without a project', async () => {
    const result = await run('deps-requirements', { 'install-project': 'true' });
    expectCleanInputError(
      result,
      /^install-project is true, but .* has neither pyproject\.toml nor setup\.py/,
    );
  });

  it('extras without a project', async () => {
    const result = await run('deps-requirements', { extras: 'toml' });
    expectCleanInputError(result, /^extras \(toml\) are given but the project is not installed/);
  });

  it('extras with install-project: false', async () => {
    const result = await run('deps-project', { extras: 'toml', 'install-project': 'false' });
    expectCleanInputError(result, /^extras \(toml\) .*install-project: false\)/);
  });

  it('dependency-groups without pyproject.toml', async () => {
    const result = await run('deps-requirements', { 'dependency-groups': 'test' });
    expectCleanInputError(
      result,
      /^dependency-groups \(test\) are given but .* has no pyproject\.toml/,
    );
  });

  it.concurrent('an extra the project does not define', async () => {
    const result = await run('deps-project', { extras: 'nope' });
    expectCleanInputError(result, /^extras: the project does not define the extra "nope"/);
  });

  it.concurrent('a dependency group pyproject.toml does not define', async () => {
    const result = await run('deps-project', {
      'install-project': 'false',
      'dependency-groups': 'lint, nope',
    });
    expectCleanInputError(
      result,
      /^dependency-groups: group "nope" is not defined in \[dependency-groups\] of pyproject\.toml/,
    );
  });

  it.concurrent('a package that does not exist', async () => {
    const result = await run('deps-requirements', { packages: 'idna\nno-such-package-pyci>=1' });
    expectCleanInputError(
      result,
      /^packages: pip could not find package "no-such-package-pyci>=1" named in the packages input\./,
    );
  });

  it.concurrent(
    'pip failing for another reason: conflicting pins in a requirements file',
    async () => {
      const workspace = workspaceFrom('deps-requirements');
      writeFileSync(join(workspace, 'requirements/common.txt'), 'six==1.16.0\n');
      const result = await run({ workspace }, { requirements: 'requirements/base.txt' });
      expectCleanInputError(
        result,
        /^requirements: pip failed \(exit 1\) while installing requirements \(1 file\), pytest\..*ResolutionImpossible/,
      );
    },
  );

  it.concurrent('pip-args pip does not understand', async () => {
    const result = await run('deps-requirements', {
      requirements: 'requirements/common.txt',
      'pip-args': '--no-such-option',
    });
    expectCleanInputError(result, /^pip-args: .*--no-such-option/);
  });
});
