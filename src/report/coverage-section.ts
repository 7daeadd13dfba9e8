/**
 * The coverage section of the job summary (HTML, as the rest of it), and the `::warning`
 * annotations on a pull request's uncovered changed lines, within GitHub's per-step budget.
 */
import * as core from '@actions/core';
import type { CoverageOutcome } from '../coverage/stage.js';
import { formatPercent } from '../coverage/settings.js';
import { truncate } from '../runner/text.js';
import { MAX_WARNING_ANNOTATIONS } from './annotations.js';
import { escapeHtml } from './summary.js';

const count = (n: number) => n.toLocaleString('en-US');

export function renderCoverageSection(outcome: CoverageOutcome): string {
  const { report } = outcome;
  const icon = outcome.problem ? '❌' : '📊';
  const lines = [`<h3>${icon} Coverage: ${formatPercent(report.percent)}%</h3>`];
  const facts = [
    `${count(report.covered)} of ${count(report.statements)} statements covered in ${count(report.files)} ${report.files === 1 ? 'file' : 'files'}.`,
  ];
  if (outcome.threshold !== undefined) {
    facts.push(
      outcome.problem
        ? `Below the threshold of ${outcome.threshold}%.`
        : outcome.thresholdNote
          ? escapeHtml(outcome.thresholdNote)
          : `Threshold ${outcome.threshold}%: reached.`,
    );
  }
  lines.push(`<p>${facts.join(' ')}</p>`);
  if (outcome.changed) {
    const { changed } = outcome;
    lines.push(
      changed.percent === undefined
        ? '<p>Changed lines: none of the lines this pull request changes are measured statements.</p>'
        : `<p>Changed lines: <strong>${formatPercent(changed.percent)}%</strong> (${count(changed.covered)} of ${count(changed.statements)} changed statements covered).</p>`,
    );
  } else if (outcome.changedUnavailable) {
    lines.push(`<p>Changed lines: not measured: ${escapeHtml(outcome.changedUnavailable)}</p>`);
  }
  if (report.leastCovered.length > 0) {
    const rows = report.leastCovered.map(
      (file) =>
        `<tr><td><code>${escapeHtml(truncate(file.path, 300))}</code></td><td align="right">${count(file.statements)}</td><td align="right">${count(file.statements - file.covered)}</td><td align="right">${formatPercent(file.percent)}%</td></tr>`,
    );
    lines.push(
      '<table>',
      `<tr><th>Least covered ${report.leastCovered.length === 1 ? 'file' : `${report.leastCovered.length} files`}</th><th>Statements</th><th>Missing</th><th>Coverage</th></tr>`,
      ...rows,
      '</table>',
    );
  }
  return lines.join('\n');
}

/** One `::warning` per uncovered range of changed lines, up to the budget; a notice for the rest. */
export function emitCoverageAnnotations(
  outcome: CoverageOutcome,
  limit = MAX_WARNING_ANNOTATIONS,
): void {
  const ranges = outcome.changed?.uncovered ?? [];
  for (const range of ranges.slice(0, limit)) {
    const what =
      range.start === range.end ? `Line ${range.start}` : `Lines ${range.start}-${range.end}`;
    core.warning(`${what} changed in this pull request but not covered by the tests.`, {
      title: 'Not covered',
      file: range.file,
      startLine: range.start,
      ...(range.end !== range.start ? { endLine: range.end } : {}),
    });
  }
  const more = ranges.length - limit;
  if (more > 0)
    core.notice(
      `${more} more uncovered ranges of changed lines are not annotated; see the job summary.`,
    );
}
