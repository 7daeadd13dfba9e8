import type { TestResult } from '../pytest/result.js';
import { OUTPUT } from '../runner/names.js';

/** The action's test outputs, as the strings `core.setOutput` writes. */
export function testOutputs(result: TestResult, junitPath: string): Record<string, string> {
  return {
    [OUTPUT.tests]: String(result.tests),
    [OUTPUT.passed]: String(result.passed),
    [OUTPUT.failed]: String(result.failed),
    [OUTPUT.errors]: String(result.errors),
    [OUTPUT.skipped]: String(result.skipped),
    [OUTPUT.durationSeconds]: String(Math.round(result.durationSeconds * 1000) / 1000),
    [OUTPUT.junitPath]: junitPath,
  };
}
