/** Running pytest in the venv and saying what its exit status means. */
import { execProgram } from '../runner/exec.js';
import type { TestResult } from './result.js';

export interface PytestRun {
  exitCode: number;
  /** The signal that ended pytest, if one did. */
  signal?: NodeJS.Signals;
  /** Stopped because timeout-minutes passed. */
  timedOut?: boolean;
  junitPath: string;
  /** Tail of pytest's output, for messages when no report was written. */
  output: string;
}

/**
 * pytest's arguments: ours first (the xunit1 family, which has file and line; the report path
 * unless the user chose one with --junitxml), then the user's.
 */
export function pytestArgv(junitPath: string, userArgs: string[], ownReport = true): string[] {
  return [
    '-m',
    'pytest',
    '-o',
    'junit_family=xunit1',
    ...(ownReport ? [`--junitxml=${junitPath}`] : []),
    ...userArgs,
  ];
}

export function timeoutMessage(minutes: number): string {
  return `pytest did not finish within ${minutes} minutes (timeout-minutes) and was stopped. Look for a test that hangs (run pytest with -v locally, or add pytest-timeout), or raise timeout-minutes.`;
}

export async function runPytest(
  python: string,
  userArgs: string[],
  options: {
    cwd: string;
    junitPath: string;
    /** False when pytest-args already name the report (--junitxml). */
    ownReport?: boolean;
    env?: NodeJS.ProcessEnv;
    timeoutMinutes?: number;
  },
): Promise<PytestRun> {
  const result = await execProgram(
    python,
    pytestArgv(options.junitPath, userArgs, options.ownReport ?? true),
    {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMinutes === undefined ? undefined : options.timeoutMinutes * 60_000,
    },
  );
  return {
    exitCode: result.exitCode,
    ...(result.signal ? { signal: result.signal } : {}),
    ...(result.timedOut ? { timedOut: true } : {}),
    junitPath: options.junitPath,
    output: result.output,
  };
}

export interface PytestVerdict {
  /** Whether the step passes as far as pytest's exit status goes. */
  ok: boolean;
  /** Whether a JUnit report is expected to exist. */
  hasReport: boolean;
  message?: string;
}

/**
 * The lines pytest prints for usage and internal errors, to show them to the user. Its argparse
 * reason reads `pytest: error: ...`, or `python -m pytest: error: ...` / `__main__.py: error: ...`
 * depending on pytest's version and how it was started.
 */
export function pytestErrorLines(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .filter((line) =>
      /^(ERROR|E |INTERNALERROR|ImportError|usage:)|^[\w. -]+: error: /.test(line.trim()),
    )
    .slice(0, 5);
  return lines.length > 0 ? ` pytest said: ${lines.join(' | ')}` : '';
}

/** The last line of a Python traceback (`pkg.SomeError: message`), if the output ends in one. */
export function lastExceptionLine(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return lines
    .slice(-20)
    .reverse()
    .find((line) => /^[A-Za-z_][\w.]*(Error|Exception|Warning|Exit|Interrupt)\b.*:/.test(line));
}

/** pytest ended (with a code that promises a report) without writing its JUnit report. */
export function noReportMessage(exitCode: number, output: string): string {
  const said =
    pytestErrorLines(output) ||
    (lastExceptionLine(output) ? ` pytest said: ${lastExceptionLine(output)}` : '');
  return `pytest exited with ${exitCode} before writing its JUnit report: it stopped while starting, before running any test (a plugin, a conftest.py or the configuration failed; see the log above).${said}`;
}

/** Maps pytest's documented exit codes to a verdict with a message a person can act on. */
export function judgePytestExit(
  exitCode: number,
  output: string,
  allowNoTests: boolean,
  signal?: NodeJS.Signals,
): PytestVerdict {
  if (signal) {
    return {
      ok: false,
      hasReport: false,
      message: `pytest was killed by signal ${signal} (status ${exitCode})${signal === 'SIGKILL' ? ', e.g. by the kernel when the machine ran out of memory' : signal === 'SIGSEGV' ? ': it crashed, e.g. in a C extension' : ''}.${pytestErrorLines(output)}`,
    };
  }
  switch (exitCode) {
    case 0:
      return { ok: true, hasReport: true };
    case 1:
      return { ok: false, hasReport: true, message: 'Some tests failed.' };
    case 2:
      return {
        ok: false,
        hasReport: true,
        message: `pytest was interrupted (exit 2), e.g. by a collection error or Ctrl-C.${pytestErrorLines(output)}`,
      };
    case 3:
      return {
        ok: false,
        hasReport: false,
        message: `pytest hit an internal error (exit 3).${pytestErrorLines(output)}`,
      };
    case 4:
      return {
        ok: false,
        hasReport: false,
        message: `pytest rejected its command line (exit 4): check pytest-args.${pytestErrorLines(output)}`,
      };
    case 5:
      return allowNoTests
        ? {
            ok: true,
            hasReport: true,
            message: 'No tests were collected (allowed by allow-no-tests).',
          }
        : {
            ok: false,
            hasReport: true,
            message:
              'No tests were collected (pytest exit 5). Check working-directory and pytest-args (test paths, -k, -m), or set allow-no-tests: true.',
          };
    default:
      return {
        ok: false,
        hasReport: false,
        message: `pytest exited with status ${exitCode}.${pytestErrorLines(output)}`,
      };
  }
}

/**
 * Counts from pytest's closing line (`== 2 failed, 7 passed, 1 xfailed, 3 errors in 1.1s ==`), for
 * when the JUnit report cannot be read. Counted as the JUnit reader does: xfailed as skipped,
 * xpassed as passed. Undefined when there is no such line.
 */
export function terminalCounts(output: string): TestResult | undefined {
  const line = output
    .trim()
    .split(/\r?\n/)
    .reverse()
    .find((candidate) => /^=+ .* in [\d.]+s(?: \([^)]*\))? =+$/.test(candidate.trim()));
  if (!line) return undefined;
  const count: Record<string, number> = {};
  for (const [, n, word] of line.matchAll(/(\d+) (\w+)/g))
    count[word] = (count[word] ?? 0) + Number(n);
  const passed = (count.passed ?? 0) + (count.xpassed ?? 0);
  const failed = count.failed ?? 0;
  const errors = (count.error ?? 0) + (count.errors ?? 0);
  const skipped = (count.skipped ?? 0) + (count.xfailed ?? 0);
  const seconds = / in ([\d.]+)s/.exec(line);
  return {
    tests: passed + failed + errors + skipped,
    passed,
    failed,
    errors,
    skipped,
    durationSeconds: seconds ? Number(seconds[1]) : 0,
    failures: [],
    failuresOmitted: failed + errors,
    slowest: [],
  };
}
