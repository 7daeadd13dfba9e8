/** The job summary (GITHUB_STEP_SUMMARY), the one place that writes it. */
import { appendFileSync } from 'node:fs';
import * as core from '@actions/core';

/** Set once this step wrote its summary: a later failure does not add a second one. */
let written = false;
/** Secret values: the runner masks them in the log, but not in the summary file. */
const secrets: string[] = [];

/** Masks `value` in the log and keeps it out of the failure summary. */
export function registerSecret(value: string): void {
  if (value === '') return;
  core.setSecret(value);
  secrets.push(value);
}

/**
 * Appends Markdown to the job summary. Outside a runner that provides GITHUB_STEP_SUMMARY (a
 * local run, an old runner, a local action runner) there is nowhere to write it: say so in the
 * log and go on, since the summary never decides the step's verdict.
 */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('No job summary written: GITHUB_STEP_SUMMARY is not set (not on a GitHub runner).');
    return;
  }
  written = true;
  await core.summary.addRaw(markdown, true).write();
}

/**
 * The summary of a step that failed before it had a report to write (pip, the build backend, a
 * bad input): what failed and why, so the summary page is not empty. Synchronous, because the
 * failure path ends the process right after; a failure after the report adds nothing.
 */
export function writeFailureSummary(title: string, message: string, reason: string): void {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path || written) return;
  written = true;
  const html = [
    `<h2>❌ ${escape(title)}</h2>`,
    `<p>${escape(message)}</p>`,
    `<p><strong>Deploy:</strong> ${escape(reason)}</p>`,
  ].join('\n');
  try {
    appendFileSync(path, `${html}\n`);
  } catch (error) {
    core.debug(`No failure summary written: ${(error as Error).message}`);
  }
}

function escape(text: string): string {
  for (const secret of secrets) text = text.split(secret).join('***');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
