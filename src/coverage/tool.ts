/**
 * coverage.py and pytest-cov in a venv: installing them when missing, and the coverage commands
 * the action runs (json, xml, combine, reading recorded paths). argv arrays only.
 */
import { existsSync, rmSync } from 'node:fs';
import * as core from '@actions/core';
import { createVenv, hasModule, venvPython } from '../deps/venv.js';
import { InputError, SetupError } from '../runner/errors.js';
import { captureProgram, execProgram } from '../runner/exec.js';

/** pip install into the venv of `python`, with the user's pip-args (their index may be the only one). */
async function pipInstall(python: string, packages: string[], pipArgs: string[], cwd: string) {
  const result = await execProgram(python, ['-m', 'pip', 'install', ...packages, ...pipArgs], {
    cwd,
  });
  if (result.exitCode !== 0) {
    throw new InputError(
      `coverage: could not install ${packages.join(' and ')} into the virtualenv (pip exit ${result.exitCode}). Add pytest-cov to your test requirements, or check pip-args (the index must have it).`,
    );
  }
}

/** Makes sure pytest-cov (and with it coverage.py) imports in the test venv. */
export async function ensurePytestCov(
  python: string,
  pipArgs: string[],
  cwd: string,
): Promise<void> {
  if ((await hasModule(python, 'pytest_cov')) && (await hasModule(python, 'coverage'))) return;
  core.notice(
    'coverage: pytest-cov is not among the project dependencies; installing it. Add it to your test requirements to pin its version (and cache it with the virtualenv).',
  );
  await pipInstall(python, ['pytest-cov'], pipArgs, cwd);
}

/** A small venv holding coverage.py, for report-only mode (no test venv there). */
export async function coverageVenv(
  basePython: string,
  path: string,
  pipArgs: string[],
  cwd: string,
): Promise<string> {
  await createVenv(basePython, path, pipArgs);
  const python = venvPython(path);
  await pipInstall(python, ['coverage'], pipArgs, cwd);
  return python;
}

/**
 * Runs `coverage <command> ...args` in `cwd` to write `output`; `failure` is the error when it
 * exits other than `okExits` or writes nothing. The output is removed first unless `append`.
 */
async function coverageCommand(
  python: string,
  args: string[],
  run: {
    output: string;
    cwd: string;
    okExits?: number[];
    append?: boolean;
    failure: (exitCode: number, output: string) => Error;
  },
): Promise<void> {
  if (!run.append) rmSync(run.output, { force: true });
  const result = await execProgram(python, ['-m', 'coverage', ...args], { cwd: run.cwd });
  if (!(run.okExits ?? [0]).includes(result.exitCode) || !existsSync(run.output))
    throw run.failure(result.exitCode, lastLines(result.output));
}

/**
 * coverage.py's JSON or XML report of `dataFile`, run in `cwd` with the project's own coverage
 * settings (exclusions, omit). Exit 2 is coverage's own fail_under: the action's threshold decides.
 */
export async function writeReport(
  format: 'json' | 'xml',
  python: string,
  dataFile: string,
  output: string,
  cwd: string,
  rcfile?: string,
): Promise<void> {
  await coverageCommand(
    python,
    [format, `--data-file=${dataFile}`, ...(rcfile ? [`--rcfile=${rcfile}`] : []), '-o', output],
    {
      output,
      cwd,
      okExits: [0, 2],
      failure: (exit, said) =>
        new SetupError(
          `coverage: \`coverage ${format}\` failed (exit ${exit}) for ${dataFile}: ${said}`,
        ),
    },
  );
}

/** Lists the paths recorded in data files (distinct), to find the shards' checkout roots. */
const RECORDED_PATHS = `
import sys
from coverage import CoverageData
seen = set()
for name in sys.argv[1:]:
    data = CoverageData(basename=name)
    data.read()
    for path in data.measured_files():
        if path not in seen:
            seen.add(path)
            print(path)
`;

export async function recordedPaths(python: string, files: string[]): Promise<string[]> {
  const result = await captureProgram(python, ['-I', '-c', RECORDED_PATHS, ...files], {
    timeoutMs: 10 * 60_000,
    maxBytes: 64 * 1024 * 1024,
  });
  if (result.exitCode !== 0) {
    throw new InputError(
      `coverage-files: could not read the coverage data files (exit ${result.exitCode}): ${lastLines(result.stderr)} Check that they are coverage.py data files (.coverage.*) uploaded by the test jobs.`,
    );
  }
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** `coverage combine --keep` of `files` into `output`, with the `[paths]` of `rcfile`. */
export async function combineData(
  python: string,
  files: string[],
  rcfile: string,
  output: string,
  cwd: string,
): Promise<void> {
  await coverageCommand(
    python,
    ['combine', '--keep', `--rcfile=${rcfile}`, `--data-file=${output}`, ...files],
    {
      output,
      cwd,
      failure: (exit, said) =>
        new InputError(`coverage-files: \`coverage combine\` failed (exit ${exit}): ${said}`),
    },
  );
}

/**
 * Parallel-mode data files (`<dataFile>.<host>.<pid>.<random>`) combined into `dataFile` (kept if
 * it exists: --append), with the project's own settings (its `[paths]` map installed copies back
 * to the checkout, as its own `coverage combine` would).
 */
export async function combineParallel(
  python: string,
  dataFile: string,
  files: string[],
  cwd: string,
  rcfile?: string,
): Promise<void> {
  await coverageCommand(
    python,
    [
      'combine',
      ...(existsSync(dataFile) ? ['--append'] : []),
      `--data-file=${dataFile}`,
      ...(rcfile ? [`--rcfile=${rcfile}`] : []),
      ...files,
    ],
    {
      output: dataFile,
      cwd,
      append: true,
      failure: (exit, said) =>
        new SetupError(
          `coverage: \`coverage combine\` of the parallel data files failed (exit ${exit}): ${said}`,
        ),
    },
  );
}

function lastLines(text: string): string {
  return text.trim().split(/\r?\n/).slice(-3).join(' | ');
}
