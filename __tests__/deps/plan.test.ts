import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { judgeProjectInstall, staticProjectName } from '../../src/deps/checkout-check.js';
import { explainPipFailure, missingExtra } from '../../src/deps/pip-errors.js';
import { namesPytest } from '../../src/deps/pytest-declared.js';
import { planInstall, planProjectRefresh, type InstallSpec } from '../../src/deps/plan.js';

const nothing: InstallSpec = {
  requirementFiles: [],
  project: null,
  dependencyGroups: [],
  packages: [],
  pipArgs: [],
};

describe('planInstall', () => {
  it('installs nothing when nothing is declared', () => {
    expect(planInstall(nothing)).toBeUndefined();
  });

  it('only pytest when nothing is declared but pytest is added', () => {
    expect(planInstall(nothing, true)).toEqual({
      what: 'pytest',
      args: ['install', 'pytest'],
      inputs: [],
      addsPytest: true,
    });
  });

  it("the action's own test tools (pytest-cov with coverage) join the same resolve", () => {
    expect(planInstall({ ...nothing, testTools: ['pytest-cov'], pipArgs: ['-q'] }, true)).toEqual({
      what: 'pytest, pytest-cov',
      args: ['install', 'pytest', 'pytest-cov', '-q'],
      inputs: ['coverage'],
      addsPytest: true,
    });
  });

  it('one resolve: requirements, project, groups, packages (and pytest), then pip-args', () => {
    const step = planInstall(
      {
        requirementFiles: ['/p/a.txt', '/p/b.txt'],
        project: { path: '/p', editable: true, extras: ['test', 'ml'] },
        dependencyGroups: ['dev', 'lint'],
        packages: ['pytest-xdist', 'numpy>=2'],
        pipArgs: ['--extra-index-url', 'https://example.org/simple'],
      },
      true,
    );
    expect(step?.args).toEqual([
      'install',
      ...['-r', '/p/a.txt', '-r', '/p/b.txt'],
      ...['-e', '/p[test,ml]'],
      ...['--group', 'dev', '--group', 'lint'],
      ...['pytest-xdist', 'numpy>=2', 'pytest'],
      ...['--extra-index-url', 'https://example.org/simple'],
    ]);
    expect(step?.inputs).toEqual(['requirements', 'extras', 'dependency-groups', 'packages']);
    expect(step?.what).toBe(
      'requirements (2 files), the project with extras test, ml (editable), dependency groups dev, lint, packages pytest-xdist, numpy>=2, pytest',
    );
  });

  it('installs a plain project without -e or brackets', () => {
    const step = planInstall({ ...nothing, project: { path: '/p', editable: false, extras: [] } });
    expect(step?.args).toEqual(['install', '/p']);
    expect(step?.inputs).toEqual(['install-project']);
  });

  it('refreshes the project alone, without its dependencies', () => {
    const step = planProjectRefresh({
      ...nothing,
      project: { path: '/p', editable: false, extras: ['x'] },
      packages: ['idna'],
      pipArgs: ['-q'],
    });
    expect(step?.args).toEqual(['install', '--no-deps', '--force-reinstall', '/p[x]', '-q']);
    expect(planProjectRefresh(nothing)).toBeUndefined();
  });
});

describe('explainPipFailure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyci-pip-'));
  const reqs = join(dir, 'requirements.txt');
  writeFileSync(reqs, 'numpy\nNot_A.Real-Package>=1  # typo\n');
  const step = planInstall({ ...nothing, requirementFiles: [reqs] })!;

  it('names the missing package and the file that asks for it', () => {
    const output =
      'ERROR: Could not find a version that satisfies the requirement not-a-real-package>=1 (from versions: none)\nERROR: No matching distribution found for not-a-real-package>=1\n';
    expect(
      explainPipFailure({
        step,
        exitCode: 1,
        output,
        requirementFiles: [reqs],
        workingDirectory: dir,
      }),
    ).toBe(
      'requirements: pip could not find package "not-a-real-package>=1" named in requirements.txt. Check its spelling and version, or add the index that serves it with pip-args (e.g. --extra-index-url).',
    );
  });

  const project = planInstall({ ...nothing, project: { path: dir, extras: [], editable: false } })!;
  const explain = (output: string) =>
    explainPipFailure({
      step: project,
      exitCode: 1,
      output,
      requirementFiles: [],
      workingDirectory: dir,
    });

  it('names [build-system] when the build backend cannot be imported', () => {
    // pip 24's output for build-backend = "hatchling.build" with requires = [] (abridged).
    const output = [
      "  Getting requirements to build wheel: finished with status 'done'",
      'ERROR: Exception:',
      'pip._vendor.pyproject_hooks._impl.BackendUnavailable: Traceback (most recent call last):',
      "ModuleNotFoundError: No module named 'hatchling'",
    ].join('\n');
    const message = explain(output);
    expect(message).toMatch(/^install-project: /);
    expect(message).toContain('[build-system]');
    expect(message).toContain('"hatchling"');
    // pip 25 says it in one line.
    const pip25 = explain(
      "pip._vendor.pyproject_hooks._impl.BackendUnavailable: Cannot import 'hatchling.build'",
    );
    expect(pip25).toMatch(/^install-project: .*"hatchling\.build".*\[build-system\]/);
  });

  it('names [build-system] when its requires cannot be installed', () => {
    const output = [
      "  Installing build dependencies: finished with status 'error'",
      '      ERROR: No matching distribution found for no-such-backend-xyz',
    ].join('\n');
    const message = explain(output);
    expect(message).toContain('[build-system]');
    expect(message).toContain('"no-such-backend-xyz"');
  });

  it('names an unknown dependency group', () => {
    const output =
      "ERROR: [dependency-groups] resolution failed for 'nope' from 'pyproject.toml': Dependency group 'nope' not found";
    expect(
      explainPipFailure({ step, exitCode: 1, output, requirementFiles: [], workingDirectory: dir }),
    ).toMatch(/^dependency-groups: group "nope" is not defined/);
  });

  it("falls back to pip's own ERROR lines", () => {
    const output = 'Collecting x\nERROR: Some build failed\n';
    expect(
      explainPipFailure({ step, exitCode: 2, output, requirementFiles: [], workingDirectory: dir }),
    ).toBe(
      'requirements: pip failed (exit 2) while installing requirements (1 file). ERROR: Some build failed',
    );
  });

  it('names a package the packages input asks for, and pytest the action added', () => {
    const combined = planInstall(
      { ...nothing, requirementFiles: [reqs], packages: ['idna>=9'] },
      true,
    )!;
    const explain = (pkg: string) =>
      explainPipFailure({
        step: combined,
        exitCode: 1,
        output: `ERROR: No matching distribution found for ${pkg}\n`,
        requirementFiles: [reqs],
        workingDirectory: dir,
        packages: ['idna>=9'],
      });
    expect(explain('idna>=9')).toMatch(
      /^packages: pip could not find package "idna>=9" named in the packages input\./,
    );
    expect(explain('pytest')).toMatch(/^pip could not find pytest, which the action installs/);
    expect(explain('leftpad')).toMatch(
      /^requirements, packages: pip could not find package "leftpad" \(while installing requirements \(1 file\), packages idna>=9, pytest\)/,
    );
  });

  it('explains a conflict between the checkout and what else asks for the project', () => {
    const project = planInstall(
      { ...nothing, requirementFiles: [reqs], project: { path: dir, editable: false, extras: [] } },
      true,
    )!;
    writeFileSync(reqs, 'demo>=1\n');
    const output = [
      `ERROR: Cannot install demo 0.1.dev1 (from ${dir}), demo>=1 and pytest==9.1.1 because these package versions have conflicting dependencies.`,
      '',
      'The conflict is caused by:',
      `    The user requested demo 0.1.dev1 (from ${dir})`,
      '    The user requested demo>=1',
      '    pytest 9.1.1 depends on demo>=1.5',
      '',
      'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/',
    ].join('\n');
    expect(
      explainPipFailure({
        step: project,
        exitCode: 1,
        output,
        requirementFiles: [reqs],
        workingDirectory: dir,
      }),
    ).toBe(
      "install-project: the checkout's demo 0.1.dev1 does not satisfy what else is installed: demo>=1 (named in requirements.txt); pytest 9.1.1 depends on demo>=1.5. Installing them would replace the checkout with the index's copy of demo, and the tests would not test your code. If the version comes from git tags (setuptools-scm, hatch-vcs), check out the tags (actions/checkout with fetch-depth: 0); otherwise loosen the requirement.",
    );
    // A conflict that does not involve the checkout keeps pip's own lines.
    const other = output.replace(
      `The user requested demo 0.1.dev1 (from ${dir})`,
      'The user requested demo==0.1',
    );
    expect(
      explainPipFailure({
        step: project,
        exitCode: 1,
        output: other,
        requirementFiles: [reqs],
        workingDirectory: dir,
      }),
    ).toMatch(/^requirements, install-project: pip failed \(exit 1\) .*ResolutionImpossible/);
  });

  it('spots the extra pip only warns about', () => {
    expect(missingExtra("WARNING: demo 0.1 does not provide the extra 'gpu'\n")).toBe('gpu');
    expect(missingExtra('Successfully installed demo-0.1')).toBeUndefined();
  });

  it('a package pytest-cov needs that the index lacks names the coverage input, not pip-args', () => {
    // Seen on a machine whose index had coverage's wheels for 3.11 only, with coverage: true on 3.12.
    const step = planInstall({ ...nothing, testTools: ['pytest-cov'] }, true)!;
    const output =
      'ERROR: Could not find a version that satisfies the requirement coverage>=7.10.6 (from pytest-cov) (from versions: none)\nERROR: No matching distribution found for coverage>=7.10.6\n';
    expect(
      explainPipFailure({ step, exitCode: 1, output, requirementFiles: [], workingDirectory: dir }),
    ).toBe(
      'coverage: pip could not find package "coverage>=7.10.6" (while installing pytest, pytest-cov). Check its spelling and version, or add the index that serves it with pip-args (e.g. --extra-index-url).',
    );
  });
});

describe('namesPytest', () => {
  it('finds pytest as a requirement, not as a prefix, a tool table or a plugin', () => {
    expect(
      namesPytest({ requirements: ['six\npytest>=8 ; python_version>"3"\n'], project: [] }),
    ).toBe(true);
    expect(
      namesPytest({ requirements: [], project: ['[dependency-groups]\ntest = ["pytest"]\n'] }),
    ).toBe(true);
    expect(namesPytest({ requirements: [], project: ["install_requires=['pytest==8.0']"] })).toBe(
      true,
    );
    expect(
      namesPytest({
        requirements: ['pytest-cov\npytest_xdist\n'],
        project: ['[tool.pytest.ini_options]\naddopts = "-p pytest_cov"\ndeps = ["pytest-mock"]\n'],
      }),
    ).toBe(false);
  });
});

describe('the installed project is the checkout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyci-proj-'));
  const url = pathToFileURL(dir).href;

  it('reads a static project name from pyproject.toml or setup.cfg', () => {
    expect(
      staticProjectName('[tool.x]\nname = "no"\n[project]\nversion = "1"\nname = "demo"\n', ''),
    ).toBe('demo');
    expect(staticProjectName('', '[metadata]\nname = demo-cfg\n')).toBe('demo-cfg');
    expect(staticProjectName('[project]\ndynamic = ["name"]\n', '')).toBeUndefined();
  });

  it('accepts the checkout, refuses an index copy or another folder, by normalized name', () => {
    const venv = join(dir, '.venv');
    const site = join(venv, 'lib/site-packages');
    const checkout = { name: 'My_Demo', version: '0.1.dev1', url, location: site, prefix: venv };
    expect(judgeProjectInstall([checkout], dir, 'my-demo')).toBeUndefined();
    expect(judgeProjectInstall([{ ...checkout, url: '' }], dir, 'my.demo')).toMatch(
      /^install-project: the virtualenv's My_Demo 0\.1\.dev1 is not the checkout \(it came from the package index, not from /,
    );
    expect(
      judgeProjectInstall([{ ...checkout, url: 'file:///elsewhere' }], dir, 'my-demo'),
    ).toMatch(/came from file:\/\/\/elsewhere/);
    expect(judgeProjectInstall([], dir, 'my-demo')).toMatch(/has no distribution named my-demo/);
    // An editable install's own egg-info in the checkout (src/ is on sys.path) is the checkout;
    // an index copy in the venv, even when the venv is inside the checkout, is not.
    const eggInfo = { ...checkout, url: '', location: join(dir, 'src') };
    expect(judgeProjectInstall([checkout, eggInfo], dir, 'my-demo')).toBeUndefined();
    expect(judgeProjectInstall([eggInfo, { ...checkout, url: '' }], dir, 'my-demo')).toMatch(
      /is not the checkout/,
    );
    // No static name: some distribution must come from the folder.
    expect(judgeProjectInstall([checkout], dir, undefined)).toBeUndefined();
    expect(judgeProjectInstall([{ ...checkout, url: '' }], dir, undefined)).toMatch(
      /no distribution in the virtualenv comes from/,
    );
  });
});
