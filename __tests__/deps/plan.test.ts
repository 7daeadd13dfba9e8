import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainPipFailure, missingExtra } from '../../src/deps/pip-errors.js';
import { planInstall, type InstallSpec } from '../../src/deps/plan.js';

const nothing: InstallSpec = {
  requirementFiles: [],
  project: null,
  dependencyGroups: [],
  packages: [],
  pipArgs: [],
};

describe('planInstall', () => {
  it('installs nothing when nothing is declared', () => {
    expect(planInstall(nothing)).toEqual([]);
  });

  it('orders requirements, project, groups, packages and adds pip-args to each', () => {
    const steps = planInstall({
      requirementFiles: ['/p/a.txt', '/p/b.txt'],
      project: { path: '/p', editable: true, extras: ['test', 'ml'] },
      dependencyGroups: ['dev', 'lint'],
      packages: ['pytest-xdist', 'numpy>=2'],
      pipArgs: ['--extra-index-url', 'https://example.org/simple'],
    });
    const extra = ['--extra-index-url', 'https://example.org/simple'];
    expect(steps.map((s) => s.args)).toEqual([
      ['install', '-r', '/p/a.txt', '-r', '/p/b.txt', ...extra],
      ['install', '-e', '/p[test,ml]', ...extra],
      ['install', '--group', 'dev', '--group', 'lint', ...extra],
      ['install', 'pytest-xdist', 'numpy>=2', ...extra],
    ]);
    expect(steps.map((s) => s.input)).toEqual([
      'requirements',
      'extras',
      'dependency-groups',
      'packages',
    ]);
  });

  it('installs a plain project without -e or brackets', () => {
    const [step] = planInstall({
      ...nothing,
      project: { path: '/p', editable: false, extras: [] },
    });
    expect(step.args).toEqual(['install', '/p']);
    expect(step.input).toBe('install-project');
  });
});

describe('explainPipFailure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyci-pip-'));
  const reqs = join(dir, 'requirements.txt');
  writeFileSync(reqs, 'numpy\nNot_A.Real-Package>=1  # typo\n');
  const [step] = planInstall({ ...nothing, requirementFiles: [reqs] });

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

  it('spots the extra pip only warns about', () => {
    expect(missingExtra("WARNING: demo 0.1 does not provide the extra 'gpu'\n")).toBe('gpu');
    expect(missingExtra('Successfully installed demo-0.1')).toBeUndefined();
  });
});
