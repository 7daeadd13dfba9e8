/** The summary section for tests that failed and then passed on a rerun (see pytest/reruns.ts). */
import { truncate } from '../runner/text.js';
import { escapeHtml } from './summary.js';

const MAX_LISTED = 50;

/** `omitted`: flaky tests counted but not named (the JUnit reader keeps a bounded number of ids). */
export function flakySection(ids: string[], failsStep: boolean, omitted = 0): string {
  const count = ids.length + omitted;
  if (count === 0) return '';
  const listed = ids
    .slice(0, MAX_LISTED)
    .map((id) => `<li><code>${escapeHtml(truncate(id, 500))}</code></li>`);
  const more = count - listed.length;
  const noun = count === 1 ? 'test failed and then passed' : 'tests failed and then passed';
  const verdict = failsStep
    ? 'They fail the step (fail-on-flaky).'
    : 'They do not fail the step (set fail-on-flaky: true to make them).';
  return [
    `<h3>⚠️ Flaky ${count === 1 ? 'test' : 'tests'}</h3>`,
    `<p>${count} ${noun} on a rerun. ${verdict}</p>`,
    '<ul>',
    ...listed,
    ...(more > 0 ? [`<li>and ${more} more</li>`] : []),
    '</ul>',
  ].join('\n');
}
