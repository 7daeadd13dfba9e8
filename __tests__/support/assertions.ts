/** What every bad input must look like through the bundle: one ::error:: line, exit 1, no stack trace. */
import type { RunResult } from '../../tools/harness.js';

export function expectCleanFailure(result: RunResult): void {
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
}
