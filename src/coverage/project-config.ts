/**
 * The project's own coverage configuration (.coveragerc, setup.cfg or tox.ini [coverage:run],
 * pyproject [tool.coverage.run]), as coverage.py itself reads it in the test venv, and what the
 * action passes pytest-cov so that it measures what the project measures without failing its
 * tests. The probe is small; the decisions are pure.
 */
import { captureProgram } from '../runner/exec.js';

export interface ProjectCoverageConfig {
  /** The configuration file coverage.py read its settings from; undefined: none. */
  file?: string;
  /** [run] source, source_pkgs and source_dirs together. */
  source: string[];
  /** [run] include. */
  include: string[];
  parallel: boolean;
  /**
   * Importable names of coverage.py's and pytest-cov's warning classes, for `-W`
   * (coverage.exceptions.CoverageWarning, pytest_cov.PytestCovWarning in current versions).
   */
  warningCategories: string[];
}

export const NO_CONFIG: ProjectCoverageConfig = {
  source: [],
  include: [],
  parallel: false,
  warningCategories: [],
};

/**
 * Prints coverage.py's view of the configuration in the working directory as JSON (argv[1]: a
 * --cov-config file, or empty for coverage's own search, as pytest-cov does), and where its warning
 * classes live.
 */
const PROBE = `
import json, sys
import coverage
rc = sys.argv[1] or True
out = {"categories": []}
try:
    from coverage.exceptions import CoverageWarning
except ImportError:
    from coverage.misc import CoverageWarning
try:
    from pytest_cov import PytestCovWarning
except ImportError:
    try:
        from pytest_cov.plugin import PytestCovWarning
    except ImportError:
        PytestCovWarning = None
for cls in (CoverageWarning, PytestCovWarning):
    if cls is not None and getattr(sys.modules.get(cls.__module__), cls.__name__, None) is cls:
        out["categories"].append(cls.__module__ + "." + cls.__name__)
try:
    c = coverage.Coverage(config_file=rc).config
    out["file"] = c.config_file
    out["source"] = list(c.source or []) + list(getattr(c, "source_pkgs", []) or []) + list(getattr(c, "source_dirs", []) or [])
    out["include"] = list(c.run_include or [])
    out["parallel"] = bool(c.parallel)
except Exception as e:
    out["error"] = str(e)
print(json.dumps(out))
`;

/** Reads the probe's output; anything unreadable is "no configuration" (coverage decides then). */
export function parseProbe(stdout: string): ProjectCoverageConfig & { error?: string } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    return { ...NO_CONFIG };
  }
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return {
    ...(typeof raw.file === 'string' ? { file: raw.file } : {}),
    source: strings(raw.source),
    include: strings(raw.include),
    parallel: raw.parallel === true,
    warningCategories: strings(raw.categories).filter((c) => /^[\w.]+$/.test(c)),
    ...(typeof raw.error === 'string' ? { error: raw.error } : {}),
  };
}

export async function readProjectConfig(
  python: string,
  cwd: string,
  covConfig: string | undefined,
): Promise<ProjectCoverageConfig & { error?: string }> {
  const result = await captureProgram(python, ['-I', '-c', PROBE, covConfig ?? ''], {
    cwd,
    timeoutMs: 60_000,
  });
  return parseProbe(result.stdout);
}

/** What pytest-cov is told to measure. */
export type MeasureWhat =
  | { kind: 'sources'; sources: string[]; note?: string }
  | { kind: 'config'; note: string }
  | { kind: 'own-packages' };

/**
 * The user's `coverage:` sources win. Otherwise a configuration that says what to measure
 * (source or include) decides, with a bare `--cov`: `--cov=<pkg>` would set coverage's source
 * and make it ignore the project's include. Otherwise the project's own packages.
 */
export function measureWhat(config: ProjectCoverageConfig, userSources: string[]): MeasureWhat {
  const where = config.file ?? 'the coverage configuration';
  if (userSources.length > 0) {
    if (config.include.length > 0 && config.source.length === 0) {
      return {
        kind: 'sources',
        sources: userSources,
        note: `coverage: measuring ${userSources.join(', ')} (the coverage input); the [run] include of ${where} is ignored, as coverage.py warns (include-ignored). Set coverage: true to measure what ${where} says.`,
      };
    }
    return { kind: 'sources', sources: userSources };
  }
  if (config.source.length > 0 || config.include.length > 0) {
    const setting = config.source.length > 0 ? 'source' : 'include';
    return {
      kind: 'config',
      note: `coverage: measuring what ${where} says ([run] ${setting}: ${(config.source.length > 0 ? config.source : config.include).join(', ')}).`,
    };
  }
  return { kind: 'own-packages' };
}

/**
 * pytest-cov starts coverage after pytest has read its warning filters, and coverage warns then
 * of things the action's way of measuring causes (a package pytest imported before coverage
 * started, an include ignored for our --cov=). With `filterwarnings = error` each would crash
 * pytest before it writes its report. Shown, not raised: `-W default::<category>` for coverage's
 * and pytest-cov's warning classes (command-line filters take precedence over the ini's).
 */
export function warningFilterArgs(config: ProjectCoverageConfig): string[] {
  return config.warningCategories.flatMap((category) => ['-W', `default::${category}`]);
}

/** The --cov-config the user passes pytest (their arguments), if any. */
export function userCovConfig(pytestArgs: string[]): string | undefined {
  let found: string | undefined;
  pytestArgs.forEach((arg, index) => {
    if (arg.startsWith('--cov-config=')) found = arg.slice('--cov-config='.length);
    else if (arg === '--cov-config' && index + 1 < pytestArgs.length) found = pytestArgs[index + 1];
  });
  return found;
}

/**
 * Files coverage.py wrote next to `dataFile` instead of it or besides it: parallel mode's
 * `<dataFile>.<host>.<pid>.<random>` (and subprocesses'), to combine into it.
 */
export function parallelFiles(dataFileName: string, namesInDir: string[]): string[] {
  return namesInDir.filter((name) => name.startsWith(`${dataFileName}.`)).sort();
}
