/**
 * The job summary of a test run, as HTML that GitHub's markdown renderer passes through:
 * headline, counts, failures with a traceback excerpt, slowest tests. It always stays under
 * GitHub's 1 MiB step-summary limit and says what it left out to get there.
 */
import type { TestFailure, TestResult } from '../pytest/result.js';
import { truncate } from '../runner/text.js';

export interface SummaryOptions {
  /** What ran, in the headline (default "pytest"). */
  title?: string;
  /** The JUnit files the result was read from, listed at the end. */
  junitPaths?: string[];
  /** Lines appended as they are (markdown or HTML), e.g. the deploy decision. */
  extraLines?: string[];
  /** Byte budget (UTF-8); default MAX_SUMMARY_BYTES. */
  maxBytes?: number;
  /** The address of a failure's line at the commit, when it has one (see report/links.ts). */
  linkFor?: (failure: TestFailure) => string | undefined;
  /** Sections placed after the failures (e.g. flaky tests), as they are (HTML). */
  sections?: string[];
}

/** GitHub rejects step summaries over 1 MiB; keep clear of it. */
export const MAX_SUMMARY_BYTES = 1_000_000;
const MAX_LISTED_PATHS = 20;
/** Extra lines share at most a tenth of the budget: failures come first. */
const EXTRA_SHARE = 0.1;
/** Kept free for the "left out" note, which is only known at the end. */
const NOTE_RESERVE = 1024;
/** A run whose every test took less than this has no "slowest" table worth showing. */
const SLOW_SECONDS = 0.1;

export function renderSummary(result: TestResult, options: SummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? MAX_SUMMARY_BYTES;
  const head = [headline(result, options.title ?? 'pytest'), countsTable(result)].join('\n');
  const slowest = slowestSection(result);
  const paths = pathsSection(options.junitPaths ?? []);
  const sections = (options.sections ?? []).join('\n\n');
  const extras = fitLines(options.extraLines ?? [], Math.floor(maxBytes * EXTRA_SHARE));

  let budget =
    maxBytes -
    bytes(head) -
    bytes(slowest) -
    bytes(paths) -
    bytes(sections) -
    bytes(extras.text) -
    NOTE_RESERVE;
  const blocks: string[] = [];
  let leftOutForSize = 0;
  for (const failure of result.failures) {
    const link = options.linkFor?.(failure);
    const block = leftOutForSize === 0 ? fitFailure(failure, budget, link) : undefined;
    if (block === undefined) {
      leftOutForSize++;
      continue;
    }
    blocks.push(block);
    budget -= bytes(block);
  }

  const failures =
    result.failures.length + result.failuresOmitted === 0
      ? ''
      : [`<h3>Failures and errors</h3>`, ...blocks].join('\n');
  const note = leftOutNote(result, leftOutForSize, extras.dropped);
  const markdown = [head, failures, note, sections, slowest, paths, extras.text]
    .filter((part) => part !== '')
    .join('\n\n');
  return `${clampBytes(markdown, maxBytes)}\n`;
}

function headline(result: TestResult, title: string): string {
  const parts: string[] = [];
  if (result.failed > 0) parts.push(`${result.failed} failed`);
  if (result.errors > 0) parts.push(`${result.errors} ${result.errors === 1 ? 'error' : 'errors'}`);
  parts.push(`${result.passed} passed`);
  if (result.skipped > 0) parts.push(`${result.skipped} skipped`);
  const ok = result.failed === 0 && result.errors === 0;
  const icon = !ok ? '❌' : result.tests === 0 ? '⚠️' : '✅';
  const what = result.tests === 0 ? 'no tests ran' : parts.join(', ');
  const text = `${icon} ${truncate(title, 200)}: ${what} in ${formatSeconds(result.durationSeconds)}`;
  return `<h2>${escapeHtml(text)}</h2>`;
}

function countsTable(result: TestResult): string {
  const cells = [
    result.tests,
    result.passed,
    result.failed,
    result.errors,
    result.skipped,
    formatSeconds(result.durationSeconds),
  ];
  return [
    '<table>',
    '<tr><th>Tests</th><th>Passed</th><th>Failed</th><th>Errors</th><th>Skipped</th><th>Duration</th></tr>',
    `<tr>${cells.map((c) => `<td align="right">${escapeHtml(String(c))}</td>`).join('')}</tr>`,
    '</table>',
  ].join('\n');
}

/**
 * One failure, at most `budget` bytes: the traceback is cut (keeping its end, where pytest puts
 * the assertion) until it fits; undefined when even a short version does not.
 */
function fitFailure(
  failure: TestFailure,
  budget: number,
  link: string | undefined,
): string | undefined {
  let detailChars = failure.details.length;
  for (;;) {
    const block = renderFailure(failure, detailChars, link);
    if (bytes(block) <= budget) return block;
    if (detailChars < 200) return undefined;
    detailChars = Math.floor(detailChars / 2);
  }
}

function renderFailure(failure: TestFailure, detailChars: number, link?: string): string {
  const label = failure.kind === 'error' ? '💥 Error in' : '❌ Failed:';
  const place = `<code>${escapeHtml(truncate(failure.file ?? '', 300))}${failure.line ? `:${failure.line}` : ''}</code>`;
  const where =
    failure.file === undefined
      ? ''
      : link === undefined
        ? place
        : `<a href="${escapeHtml(link)}">${place}</a>`;
  const firstLine = failure.message.split('\n', 1)[0].trim();
  const message = firstLine === '' ? '' : escapeHtml(truncate(firstLine, 500));
  const about = [where, message].filter((s) => s !== '').join(' — ');
  let details = failure.details.trim() === '' ? failure.message : failure.details;
  if (details.length > detailChars) {
    const cut = details.length - detailChars;
    details = `… ${cut} characters cut to fit the summary …\n${details.slice(cut)}`;
  }
  const lines = [`<h4>${label} <code>${escapeHtml(truncate(failure.id, 1000))}</code></h4>`];
  if (about !== '') lines.push(`<p>${about}</p>`);
  if (details.trim() !== '') {
    // `<pre>` must open its own line: GitHub then keeps blank lines inside it as they are.
    lines.push(
      '<details><summary>Traceback</summary>',
      '',
      `<pre>\n${escapeHtml(details.replace(/\s+$/, ''))}\n</pre>`,
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}

function leftOutNote(result: TestResult, leftOutForSize: number, extraDropped: number): string {
  const notes: string[] = [];
  if (result.failuresOmitted > 0) {
    const kept = result.failures.length;
    notes.push(
      `${result.failuresOmitted} more failures and errors are not listed: the report keeps the ` +
        `first ${kept}.`,
    );
  }
  if (leftOutForSize > 0) {
    notes.push(
      `${leftOutForSize} of the kept failures are left out to stay under GitHub's 1 MiB summary limit.`,
    );
  }
  if (extraDropped > 0) notes.push(`${extraDropped} extra summary lines are left out for size.`);
  if (notes.length === 0) return '';
  // Only numbers are interpolated above: nothing to escape.
  return `<p><em>${notes.join(' ')} The JUnit report has every test.</em></p>`;
}

function slowestSection(result: TestResult): string {
  // Longest first: when the first is quick, a table of quick tests says nothing.
  if (result.slowest.length === 0 || result.slowest[0].seconds < SLOW_SECONDS) return '';
  const rows = result.slowest.map(
    (t) =>
      `<tr><td><code>${escapeHtml(truncate(t.id, 500))}</code></td><td align="right">${escapeHtml(formatSeconds(t.seconds))}</td></tr>`,
  );
  return [
    `<h3>Slowest ${result.slowest.length === 1 ? 'test' : `${result.slowest.length} tests`}</h3>`,
    '<table>',
    '<tr><th>Test</th><th>Duration</th></tr>',
    ...rows,
    '</table>',
  ].join('\n');
}

function pathsSection(junitPaths: string[]): string {
  if (junitPaths.length === 0) return '';
  const listed = junitPaths
    .slice(0, MAX_LISTED_PATHS)
    .map((p) => `<code>${escapeHtml(truncate(p, 300))}</code>`);
  const more = junitPaths.length - listed.length;
  const tail = more > 0 ? ` and ${more} more` : '';
  const noun = junitPaths.length === 1 ? 'JUnit report' : 'JUnit reports';
  return `<p><sub>Read from ${noun}: ${listed.join(', ')}${tail}.</sub></p>`;
}

function fitLines(lines: string[], budget: number): { text: string; dropped: number } {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const size = bytes(line) + 1;
    if (used + size > budget) break;
    kept.push(line);
    used += size;
  }
  return { text: kept.join('\n'), dropped: lines.length - kept.length };
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Last line of defence: cut at a character boundary so the result is at most `max` bytes. */
function clampBytes(text: string, max: number): string {
  const limit = max - 1; // the trailing newline
  if (bytes(text) <= limit) return text;
  let end = Math.min(text.length, limit);
  while (bytes(text.slice(0, end)) > limit) end = Math.floor(end * 0.9);
  return text.slice(0, end);
}
