/** What every bad input must look like through the bundle: one ::error:: line, exit 1, no stack trace. */
import type { RunResult } from '../../tools/harness.js';

export function expectCleanFailure(result: RunResult): void {
  // A run stopped by the harness's timeout is no failure of the action: say so, not "exit 143".
  if (result.timedOut) throw new Error(`the run timed out; it printed:\n${result.stdout}`);
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
}
