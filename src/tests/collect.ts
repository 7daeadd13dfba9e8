/** Asking pytest which tests it would run (`--collect-only`), for sharding. */
import { InputError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';
import { pytestErrorLines } from './pytest.js';

/** Verbosity flags would change the collect-only listing from one node id per line. */
const VERBOSITY = /^(-q+|-v+|--quiet|--verbose|--verbosity(=.*)?)$/;

/** Node ids from `pytest --collect-only -q` output: the lines before the first blank one. */
export function parseCollectedIds(output: string): string[] {
  const ids: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') break;
    if (line.includes('::')) ids.push(line.trim());
  }
  return ids;
}

export async function collectTestIds(
  python: string,
  userArgs: string[],
  cwd: string,
): Promise<string[]> {
  const args = [
    '-m',
    'pytest',
    '--collect-only',
    '-q',
    ...userArgs.filter((arg) => !VERBOSITY.test(arg)),
  ];
  const result = await execProgram(python, args, { cwd, echo: false, tailBytes: 64 * 1024 * 1024 });
  if (result.exitCode !== 0 && result.exitCode !== 5) {
    throw new InputError(
      `Collecting tests for the shard failed (pytest exit ${result.exitCode}). Run "pytest --collect-only" locally with the same pytest-args.${pytestErrorLines(result.output)}`,
    );
  }
  return parseCollectedIds(result.output);
}
