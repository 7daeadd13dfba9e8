/**
 * The lines a pull request adds, from git: `git diff --unified=0 <base>...HEAD` in the checkout.
 * A shallow checkout (actions/checkout's default fetch-depth 1) has no base to diff against:
 * that is said, not failed.
 */
import { captureProgram } from '../runner/exec.js';
import { parseUnifiedDiff, type ChangedLines } from './diff.js';

export type ChangedLinesResult = { changed: ChangedLines } | { unavailable: string };

const FETCH_HINT =
  'Check out with history (actions/checkout with fetch-depth: 0) to see the coverage of changed lines.';

async function git(workspace: string, args: string[]) {
  return captureProgram('git', ['-C', workspace, '-c', 'core.quotePath=false', ...args], {
    timeoutMs: 120_000,
    maxBytes: 64 * 1024 * 1024,
  });
}

export async function changedLinesSince(
  workspace: string,
  baseRef: string,
): Promise<ChangedLinesResult> {
  // Full ref names: a branch name can never be taken for an option of git's.
  const candidates = [`refs/remotes/origin/${baseRef}`, `refs/heads/${baseRef}`];
  let base: string | undefined;
  try {
    for (const candidate of candidates) {
      const found = await git(workspace, [
        'rev-parse',
        '--verify',
        '--quiet',
        `${candidate}^{commit}`,
      ]);
      if (found.exitCode === 0) {
        base = candidate;
        break;
      }
    }
  } catch (error) {
    return { unavailable: `git could not run (${(error as Error).message}).` };
  }
  if (!base) {
    return {
      unavailable: `the base branch ${baseRef} is not in the checkout (a shallow clone?). ${FETCH_HINT}`,
    };
  }
  const diff = await git(workspace, [
    'diff',
    '--unified=0',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    `${base}...HEAD`,
    '--',
  ]);
  if (diff.exitCode !== 0 || diff.overflowed) {
    return {
      unavailable: diff.overflowed
        ? 'the diff against the base branch is too large to read.'
        : `git could not diff against ${baseRef} (no common ancestor in a shallow clone?). ${FETCH_HINT}`,
    };
  }
  return { changed: parseUnifiedDiff(diff.stdout) };
}
