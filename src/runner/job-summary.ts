/** The job summary (GITHUB_STEP_SUMMARY), the one place that writes it. */
import * as core from '@actions/core';

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
  await core.summary.addRaw(markdown, true).write();
}
