/**
 * The pull-request comment's text (pure): a hidden marker that finds it again, the headline
 * counts, the failures (linked to their line), flaky tests, the deploy decision and a link to
 * the run. Kept well under GitHub's 65,536-character comment limit.
 */
import type { TestFailure, TestResult } from '../../pytest/result.js';
import { truncate } from '../../runner/text.js';
import {
  freshCount,
  splitFailures,
  type FailureSplit,
  type ResultsEntry,
} from '../baseline/entry.js';
import { escapeHtml, formatSeconds } from '../summary.js';

/** The base branch a pull request was compared with, and its last recorded results if found. */
export interface BaseComparison {
  branch: string;
  entry?: ResultsEntry;
}

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
  /** Set when the run looked up the base branch's results (pull requests with a cache). */
  base?: BaseComparison;
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
  const split =
    content.base?.entry && result.failures.length > 0
      ? splitFailures(result, content.base.entry)
      : undefined;
  const fresh = split ? `${freshCount(split)} new` : '';
  const counts = [
    result.failed > 0 ? `${result.failed} failed` : '',
    result.errors > 0 ? `${result.errors} ${result.errors === 1 ? 'error' : 'errors'}` : '',
    fresh,
    `${result.passed} passed`,
    result.skipped > 0 ? `${result.skipped} skipped` : '',
    flakyCount > 0 ? `${flakyCount} flaky` : '',
  ].filter((part) => part !== '');
  const lines = [
    content.marker,
    `### ${icon} ${escapeHtml(truncate(content.title, 200))}: ${counts.join(', ')} in ${formatSeconds(result.durationSeconds)}`,
    '',
  ];
  lines.push(...failureLines(content, split));
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

function failureLine(failure: TestFailure, linkFor: CommentContent['linkFor']): string {
  const link = linkFor?.(failure);
  const where = link ? ` ([${escapeHtml(failure.file ?? '')}:${failure.line ?? ''}](${link}))` : '';
  const message = truncate(failure.message.split('\n', 1)[0].trim(), 300);
  return `- ${failure.kind === 'error' ? '💥' : '❌'} <code>${escapeHtml(truncate(failure.id, 300))}</code>${where}${message ? `: ${escapeHtml(message)}` : ''}`;
}

/**
 * The failures: one list, or (compared with the base branch) the new ones first, then those
 * already failing there. At most MAX_LISTED lines in all.
 */
function failureLines(content: CommentContent, split: FailureSplit | undefined): string[] {
  const { result, base } = content;
  if (result.failures.length === 0) return [];
  const branch = `<code>${escapeHtml(truncate(base?.branch ?? '', 200))}</code>`;
  /** `tests`: distinct failing tests in the group, listed or not (split lists only). */
  const groups: { heading: string; failures: TestFailure[]; tests?: number; note?: string }[] = [];
  let unlisted = result.failuresOmitted;
  if (base?.entry && split) {
    const { fresh, known, freshIds, knownIds, unsorted } = split;
    const omitted = base.entry.omitted;
    unlisted = unsorted;
    groups.push({
      heading: '**New failures**',
      failures: fresh,
      tests: freshIds,
      note:
        omitted > 0
          ? `_${branch} had ${omitted} more failure(s) than its results list; some of these may be among them._`
          : undefined,
    });
    groups.push({
      heading: `**Already failing on ${branch}** (at ${base.entry.sha.slice(0, 7)})`,
      failures: known,
      tests: knownIds,
    });
  } else {
    groups.push({ heading: '**Failures and errors**', failures: result.failures });
  }
  const lines: string[] = [];
  let room = MAX_LISTED;
  // A split group can hold tests past the 50 kept with details: listed by count only.
  const shownGroups = groups.filter((group) => group.failures.length > 0 || (group.tests ?? 0) > 0);
  for (const group of shownGroups) {
    lines.push(group.heading, '');
    const listed = group.failures.slice(0, room);
    for (const failure of listed) lines.push(failureLine(failure, content.linkFor));
    const shown = listed.length;
    room -= shown;
    // The last list's "more" also counts the failures no list holds.
    const last = group === shownGroups[shownGroups.length - 1];
    const rest =
      group.tests === undefined
        ? group.failures.length - shown
        : Math.max(0, group.tests - new Set(listed.map((failure) => failure.id)).size);
    const more = rest + (last ? unlisted : 0);
    if (more > 0) lines.push(`- and ${more} more${last ? ' (see the run)' : ''}`);
    if (group.note && shown > 0) lines.push('', group.note);
    lines.push('');
  }
  if (base && !base.entry) lines.push(`_No results from ${branch} to compare with._`, '');
  return lines;
}
