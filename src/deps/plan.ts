/**
 * What to install and in which order, as pip argument lists (pure). The order is documented in
 * docs/dependencies.md: requirement files, the project itself, dependency groups, extra packages.
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
}

export interface PipStep {
  /** What this step installs, for the log and for error messages. */
  what: string;
  /** Arguments after `python -m pip`. */
  args: string[];
  /** The input a failure of this step points at. */
  input: 'requirements' | 'install-project' | 'extras' | 'dependency-groups' | 'packages';
}

export function planInstall(spec: InstallSpec): PipStep[] {
  const install = (...args: string[]) => ['install', ...args, ...spec.pipArgs];
  const steps: PipStep[] = [];
  if (spec.requirementFiles.length > 0) {
    steps.push({
      what: `requirements (${spec.requirementFiles.length} file${spec.requirementFiles.length > 1 ? 's' : ''})`,
      args: install(...spec.requirementFiles.flatMap((file) => ['-r', file])),
      input: 'requirements',
    });
  }
  if (spec.project) {
    const { path, editable, extras } = spec.project;
    const target = extras.length > 0 ? `${path}[${extras.join(',')}]` : path;
    steps.push({
      what: `the project${extras.length ? ` with extras ${extras.join(', ')}` : ''}${editable ? ' (editable)' : ''}`,
      args: install(...(editable ? ['-e', target] : [target])),
      input: extras.length > 0 ? 'extras' : 'install-project',
    });
  }
  if (spec.dependencyGroups.length > 0) {
    steps.push({
      what: `dependency groups ${spec.dependencyGroups.join(', ')}`,
      args: install(...spec.dependencyGroups.flatMap((group) => ['--group', group])),
      input: 'dependency-groups',
    });
  }
  if (spec.packages.length > 0) {
    steps.push({
      what: `packages ${spec.packages.join(', ')}`,
      args: install(...spec.packages),
      input: 'packages',
    });
  }
  return steps;
}

/**
 * Reinstalls the project alone (`--no-deps --force-reinstall`) into a venv restored from cache:
 * the key covers what the project depends on, not its own source, which changes every commit.
 */
export function planProjectRefresh(spec: InstallSpec): PipStep | undefined {
  if (!spec.project) return undefined;
  const [step] = planInstall({ ...spec, requirementFiles: [], dependencyGroups: [], packages: [] });
  return {
    ...step,
    what: `${step.what}, from the current checkout`,
    args: ['install', '--no-deps', '--force-reinstall', ...step.args.slice(1)],
  };
}
