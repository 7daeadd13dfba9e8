import type { TestResult } from '../pytest/result.js';

/** The action's test outputs, as the strings `core.setOutput` writes. */
export function testOutputs(result: TestResult, junitPath: string): Record<string, string> {
  return {
    tests: String(result.tests),
    passed: String(result.passed),
    failed: String(result.failed),
    errors: String(result.errors),
    skipped: String(result.skipped),
    'duration-seconds': String(Math.round(result.durationSeconds * 1000) / 1000),
    'junit-path': junitPath,
  };
}
