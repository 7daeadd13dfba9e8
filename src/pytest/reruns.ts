/**
 * Reruns: the tests that failed run again, each round in a fresh pytest process with the user's
 * arguments (so paths, -k, -m, plugins and the shard still apply) and our plugin keeping only
 * their node ids. A test that passes on a rerun is flaky. The reports merge into one JUnit file,
 * each flaky test's failed run replaced by the run where it passed (the plugin does the merge).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { InputError, SetupError } from '../runner/errors.js';
import { execProgram } from '../runner/exec.js';
import { preparePytestPlugin } from './pytest-plugin.js';
import { runPytest, timeoutMessage } from './pytest.js';

export interface RerunRequest {
  python: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  userArgs: string[];
  scratchDir: string;
  /** At most this many rounds. */
  rounds: number;
  /** Node ids that failed or errored in the first run. */
  failedIds: string[];
  /** The first run's JUnit report. */
  firstReport: string;
  timeoutMinutes?: number;
}

export interface RerunOutcome {
  /**
   * The merged report, when some test passed on a rerun (the flaky ones: it marks them, see
   * junit.ts); else the first report stands.
   */
  mergedReport?: string;
}

export async function rerunFailures(request: RerunRequest): Promise<RerunOutcome> {
  let ids = [...new Set(request.failedIds)];
  const reports: string[] = [];
  let anyPassed = false;
  let script = '';
  for (let round = 1; round <= request.rounds && ids.length > 0; round++) {
    const plugin = preparePytestPlugin(request.scratchDir, request.env.PYTHONPATH, {
      shardIds: ids,
      collect: true,
      recordFailed: true,
    });
    script = plugin.script;
    const report = join(request.scratchDir, `pyci-junit-rerun-${round}-${randomUUID()}.xml`);
    core.startGroup(`Rerun ${round} of ${request.rounds}: ${ids.length} failed test(s)`);
    let run;
    try {
      // Ours last: pytest takes the last --junitxml, so a user's report keeps the first run.
      run = await runPytest(
        request.python,
        [...plugin.args, ...request.userArgs, `--junitxml=${report}`],
        {
          cwd: request.cwd,
          junitPath: report,
          ownReport: false,
          env: { ...request.env, ...plugin.env },
          timeoutMinutes: request.timeoutMinutes,
        },
      );
    } finally {
      core.endGroup();
    }
    if (run.timedOut)
      throw new InputError(`Rerun ${round}: ${timeoutMessage(request.timeoutMinutes!)}`);
    if (!existsSync(report)) {
      core.warning(`Rerun ${round} wrote no report (pytest exit ${run.exitCode}); no more reruns.`);
      break;
    }
    const ran = new Set(plugin.collectedIds() ?? []);
    const failed = new Set(plugin.failedIds());
    reports.push(report);
    anyPassed ||= ids.some((id) => ran.has(id) && !failed.has(id));
    // A test that did not run this time (a plugin deselected it) would not run the next time.
    ids = ids.filter((id) => ran.has(id) && failed.has(id));
  }
  if (!anyPassed) return {};
  const mergedReport = join(request.scratchDir, `pyci-junit-merged-${randomUUID()}.xml`);
  const merge = await execProgram(
    request.python,
    [script, 'merge', mergedReport, request.firstReport, ...reports],
    { cwd: request.cwd, env: request.env, echo: false },
  );
  if (merge.exitCode !== 0 || !existsSync(mergedReport)) {
    throw new SetupError(
      `Merging the JUnit reports of the reruns failed (exit ${merge.exitCode}): ${merge.output.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  return { mergedReport };
}
