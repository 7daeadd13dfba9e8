/**
 * What to install, as ONE pip argument list (pure): requirement files, the project itself,
 * dependency groups and extra packages go through a single resolve (see docs/dependencies.md).
 * Separate pip runs would let a later one replace the checkout's project with the index's copy
 * (a shallow clone's `0.1.dev1` loses to any release something else asks for).
 */
export interface InstallSpec {
  /** Absolute paths of requirement files for `pip install -r`. */
  requirementFiles: string[];
  /** The project to install (its folder), or null. */
  project: { path: string; editable: boolean; extras: string[] } | null;
  /** PEP 735 dependency groups from pyproject.toml in the working directory. */
  dependencyGroups: string[];
  /** Extra requirement specifiers (`numpy>=2`, `pytest-xdist`). */
  packages: string[];
  /** Added to every `pip install` (e.g. `--index-url ...`). */
  pipArgs: string[];
  /**
   * Test tools the action's own features need (pytest-cov with `coverage`), resolved with
   * everything else: then they are part of the key and cached, and never installed into a venv
   * that is being saved.
   */
  testTools?: string[];
}

/** The inputs a pip failure can point at. */
export type InstallInput =
  'requirements' | 'install-project' | 'extras' | 'dependency-groups' | 'packages' | 'coverage';

export interface PipStep {
  /** What this step installs, for the log and for error messages. */
  what: string;
  /** Arguments after `python -m pip`. */
  args: string[];
  /** The inputs that contributed to this step, in the documented order. */
  inputs: InstallInput[];
  /** Whether the action added `pytest` itself (the project does not declare it). */
  addsPytest: boolean;
}

/** The project as a pip target: `DIR[extra,...]`, with `-e` when editable. */
function projectTarget(project: NonNullable<InstallSpec['project']>): string[] {
  const target =
    project.extras.length > 0 ? `${project.path}[${project.extras.join(',')}]` : project.path;
  return project.editable ? ['-e', target] : [target];
}

function projectWhat(project: NonNullable<InstallSpec['project']>): string {
  const extras = project.extras.length ? ` with extras ${project.extras.join(', ')}` : '';
  return `the project${extras}${project.editable ? ' (editable)' : ''}`;
}

/**
 * One `pip install` with everything declared, plus `pytest` when `addPytest` (the action runs
 * pytest; resolving it together keeps pip from swapping the project out for pytest's sake).
 * Undefined when there is nothing to install.
 */
export function planInstall(spec: InstallSpec, addPytest = false): PipStep | undefined {
  const args: string[] = [];
  const what: string[] = [];
  const inputs: InstallInput[] = [];
  const files = spec.requirementFiles;
  if (files.length > 0) {
    args.push(...files.flatMap((file) => ['-r', file]));
    what.push(`requirements (${files.length} file${files.length > 1 ? 's' : ''})`);
    inputs.push('requirements');
  }
  if (spec.project) {
    args.push(...projectTarget(spec.project));
    what.push(projectWhat(spec.project));
    inputs.push(spec.project.extras.length > 0 ? 'extras' : 'install-project');
  }
  if (spec.dependencyGroups.length > 0) {
    args.push(...spec.dependencyGroups.flatMap((group) => ['--group', group]));
    what.push(`dependency groups ${spec.dependencyGroups.join(', ')}`);
    inputs.push('dependency-groups');
  }
  if (spec.packages.length > 0) {
    args.push(...spec.packages);
    what.push(`packages ${spec.packages.join(', ')}`);
    inputs.push('packages');
  }
  if (addPytest) {
    args.push('pytest');
    what.push('pytest');
  }
  if (spec.testTools && spec.testTools.length > 0) {
    args.push(...spec.testTools);
    what.push(spec.testTools.join(', '));
    // Only `coverage` adds test tools today (pytest-cov): a failure there points at it.
    inputs.push('coverage');
  }
  if (args.length === 0) return undefined;
  return {
    what: what.join(', '),
    args: ['install', ...args, ...spec.pipArgs],
    inputs,
    addsPytest: addPytest,
  };
}

/**
 * Reinstalls the project alone (`--no-deps --force-reinstall`) into a venv restored from cache:
 * the key covers what the project depends on, not its own source, which changes every commit.
 */
export function planProjectRefresh(spec: InstallSpec): PipStep | undefined {
  if (!spec.project) return undefined;
  return {
    what: `${projectWhat(spec.project)}, from the current checkout`,
    args: [
      'install',
      '--no-deps',
      '--force-reinstall',
      ...projectTarget(spec.project),
      ...spec.pipArgs,
    ],
    inputs: [spec.project.extras.length > 0 ? 'extras' : 'install-project'],
    addsPytest: false,
  };
}
