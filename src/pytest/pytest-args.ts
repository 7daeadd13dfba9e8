/**
 * What the user's pytest-args say about the JUnit report, which the action reads: the path they
 * chose with --junitxml (used instead of ours), and junit_family overrides (refused: the report
 * must be xunit1, the family with file and line on every test case).
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../runner/errors.js';

const JUNITXML = /^--junit-?xml(?:=(.*))?$/s;

/**
 * The report path from the last --junitxml/--junit-xml (argparse keeps the last), resolved as
 * pytest does: `$VAR`/`${VAR}` and a leading `~` expanded, relative to the directory pytest runs
 * in. Undefined when pytest-args do not choose one.
 */
export function userJunitPath(
  userArgs: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let raw: string | undefined;
  for (let i = 0; i < userArgs.length; i++) {
    const match = JUNITXML.exec(userArgs[i]);
    if (!match) continue;
    if (match[1] !== undefined) raw = match[1];
    else if (i + 1 < userArgs.length) raw = userArgs[++i];
  }
  if (raw === undefined || raw === '') return undefined;
  return resolve(cwd, expandUser(expandVars(raw, env)));
}

/** os.path.expandvars: known `$NAME` and `${NAME}` replaced, unknown ones left as written. */
function expandVars(path: string, env: NodeJS.ProcessEnv): string {
  return path.replace(
    /\$(\w+)|\$\{([^}]*)\}/g,
    (whole, bare?: string, braced?: string) => env[bare ?? braced ?? ''] ?? whole,
  );
}

/** os.path.expanduser for the current user (`~` and `~/...`). */
function expandUser(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/** Refuses `-o junit_family=...` in any spelling pytest accepts. */
export function refuseJunitFamily(userArgs: readonly string[]): void {
  for (let i = 0; i < userArgs.length; i++) {
    const arg = userArgs[i];
    let value: string | undefined;
    if (arg === '-o' || arg === '--override-ini') value = userArgs[i + 1];
    else if (arg.startsWith('--override-ini=')) value = arg.slice('--override-ini='.length);
    else if (arg.startsWith('-o')) value = arg.slice(2);
    if (value !== undefined && /^\s*junit_family\s*=/.test(value)) {
      throw new InputError(
        `pytest-args: "${arg === '-o' || arg === '--override-ini' ? `${arg} ${value}` : arg}" overrides junit_family, but the action needs its JUnit report in the xunit1 family (it carries each test's file and line, which annotations use). Remove it from pytest-args.`,
      );
    }
  }
}
