/**
 * The pull-request comment's text (pure): a hidden marker that finds it again, the headline
 * counts, the failures (linked to their line), flaky tests, the deploy decision and a link to
 * the run. Kept well under GitHub's 65,536-character comment limit.
 */
import type { TestFailure, TestResult } from '../../pytest/result.js';
import { truncate } from '../../runner/text.js';
import { escapeHtml, formatSeconds } from '../summary.js';

export interface CommentContent {
  marker: string;
  result: TestResult;
  flaky: string[];
  /** Flaky tests counted but not named (the JUnit reader keeps a bounded number of ids). */
  flakyOmitted?: number;
  /** The deploy decision's summary line (Markdown). */
  deployLine: string;
  runUrl: string;
  /** What ran, e.g. the workflow and job. */
  title: string;
  linkFor?: (failure: TestFailure) => string | undefined;
}

/** GitHub refuses comments over 65,536 characters; the body stays far below. */
const MAX_LISTED = 20;

/** `<!-- pyci:<workflow>:<job> -->`, with nothing in it that could end the comment early. */
export function commentMarker(workflow: string, job: string): string {
  const clean = (text: string) => text.replace(/--+/g, '-').replace(/>/g, '');
  return `<!-- pyci:${clean(workflow)}:${clean(job)} -->`;
}

export function renderComment(content: CommentContent): string {
  const { result, flaky } = content;
  const flakyCount = flaky.length + (content.flakyOmitted ?? 0);
  const ok = result.failed + result.errors === 0;
  const icon = !ok ? '❌' : result.tests === 0 ? '⚠️' : '✅';
  const counts = [
    result.failed > 0 ? `${result.failed} failed` : '',
    result.errors > 0 ? `${result.errors} ${result.errors === 1 ? 'error' : 'errors'}` : '',
    `${result.passed} passed`,
    result.skipped > 0 ? `${result.skipped} skipped` : '',
    flakyCount > 0 ? `${flakyCount} flaky` : '',
  ].filter((part) => part !== '');
  const lines = [
    content.marker,
    `### ${icon} ${escapeHtml(truncate(content.title, 200))}: ${counts.join(', ')} in ${formatSeconds(result.durationSeconds)}`,
    '',
  ];
  if (result.failures.length > 0) {
    lines.push('**Failures and errors**', '');
    for (const failure of result.failures.slice(0, MAX_LISTED)) {
      const link = content.linkFor?.(failure);
      const where = link
        ? ` ([${escapeHtml(failure.file ?? '')}:${failure.line ?? ''}](${link}))`
        : '';
      const message = truncate(failure.message.split('\n', 1)[0].trim(), 300);
      lines.push(
        `- ${failure.kind === 'error' ? '💥' : '❌'} <code>${escapeHtml(truncate(failure.id, 300))}</code>${where}${message ? `: ${escapeHtml(message)}` : ''}`,
      );
    }
    const more =
      result.failures.length +
      result.failuresOmitted -
      Math.min(result.failures.length, MAX_LISTED);
    if (more > 0) lines.push(`- and ${more} more (see the run)`);
    lines.push('');
  }
  if (flakyCount > 0) {
    lines.push('**Flaky** (failed, then passed on a rerun)', '');
    for (const id of flaky.slice(0, MAX_LISTED))
      lines.push(`- <code>${escapeHtml(truncate(id, 300))}</code>`);
    const more = flakyCount - Math.min(flaky.length, MAX_LISTED);
    if (more > 0) lines.push(`- and ${more} more`);
    lines.push('');
  }
  lines.push(content.deployLine, '');
  if (content.runUrl) lines.push(`[Run details and the full report](${content.runUrl})`);
  return lines.join('\n');
}
