/** The job summary's one line about the base branch (pure). */
import type { TestResult } from '../../pytest/result.js';
import type { BaseComparison } from '../comment/body.js';
import { escapeHtml } from '../summary.js';
import { freshCount, splitFailures } from './entry.js';

/** '' when there is nothing to say: no comparison, or no failures. */
export function comparisonLine(result: TestResult, base: BaseComparison | undefined): string {
  if (!base || result.failures.length === 0) return '';
  const branch = `<code>${escapeHtml(base.branch)}</code>`;
  if (!base.entry) return `No results from ${branch} to compare these failures with.`;
  const split = splitFailures(result, base.entry);
  return `Compared with ${branch} at ${base.entry.sha.slice(0, 7)}: ${freshCount(split)} new failing test(s), ${split.knownIds} already failing there.`;
}
