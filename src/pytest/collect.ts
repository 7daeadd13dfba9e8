/**
 * Asking pytest which tests it would run (`--collect-only`), for sharding. The ids come from our
 * plugin, not from pytest's output, so `addopts = -v`/`-q` or any output plugin cannot hide them.
 */
import { InputError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';
import { preparePytestPlugin } from './pytest-plugin.js';
import { pytestErrorLines, timeoutMessage } from './pytest.js';

export interface CollectOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  scratchDir: string;
  timeoutMinutes?: number;
}

export async function collectTestIds(
  python: string,
  userArgs: string[],
  options: CollectOptions,
): Promise<string[]> {
  const plugin = preparePytestPlugin(options.scratchDir, options.env.PYTHONPATH, {
    collect: true,
  });
  const args = ['-m', 'pytest', '--collect-only', ...plugin.args, ...userArgs];
  const result = await execProgram(python, args, {
    cwd: options.cwd,
    env: { ...options.env, ...plugin.env },
    echo: false,
    timeoutMs: options.timeoutMinutes === undefined ? undefined : options.timeoutMinutes * 60_000,
  });
  if (result.timedOut) {
    throw new InputError(
      `Collecting tests for the shard: ${timeoutMessage(options.timeoutMinutes!)}`,
    );
  }
  if (result.exitCode !== 0 && result.exitCode !== 5) {
    throw new InputError(
      `Collecting tests for the shard failed (pytest exit ${result.exitCode}). Run "pytest --collect-only" locally with the same pytest-args.${pytestErrorLines(result.output)}`,
    );
  }
  const ids = plugin.collectedIds();
  if (ids === undefined) {
    throw new InputError(
      `Collecting tests for the shard: pytest exited ${result.exitCode} without listing its tests (the action's plugin pyci_pytest_plugin did not run). Remove any "-p no:pyci_pytest_plugin" from pytest-args.${pytestErrorLines(result.output)}`,
    );
  }
  return ids;
}
