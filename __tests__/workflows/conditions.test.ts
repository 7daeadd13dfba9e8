/**
 * The reusable workflow's job and step conditions, run through GitHub's expression engine over a
 * table of events, branches, forks and test outcomes: the deploy job must run exactly when the
 * gate's decide() says so for the tests' true outcome, in the environment decide() names.
 */
import { decide, type TestOutcome } from '../../src/gate/decide.js';
import type { Decision } from '../../src/gate/decision.js';
import type { RunEvent } from '../../src/runner/event.js';
import { parseTestOutcome, readGateRules } from '../../src/gate/inputs.js';
import { parseGateRules, type RawGateRules } from '../../src/gate/rules.js';
import { condition, interpolate, type Status } from '../support/workflow-expressions.js';
import {
  GATE_ACTION_REF,
  MAIN_ACTION_REF,
  readWorkflow,
  REUSABLE,
  type JobYaml,
} from '../support/workflow-files.js';

const workflow = readWorkflow(REUSABLE);
const inputDefinitions = (
  workflow.on.workflow_call as { inputs: Record<string, { default?: unknown }> }
).inputs;
const defaults = Object.fromEntries(
  Object.entries(inputDefinitions).map(([name, def]) => [name, def.default ?? '']),
);
const job = (id: string): JobYaml => workflow.jobs[id];

/** How the test matrix ended, and what the merged JUnit files show. */
const TESTS = {
  passed: { result: 'success', junitGreen: true, runCancelled: false, truth: 'success' },
  failed: { result: 'failure', junitGreen: false, runCancelled: false, truth: 'failure' },
  // A shard died before writing its report (a failed install): the merged files look green.
  crashed: { result: 'failure', junitGreen: true, runCancelled: false, truth: 'failure' },
  cancelled: { result: 'cancelled', junitGreen: true, runCancelled: true, truth: 'cancelled' },
} as const satisfies Record<
  string,
  { result: string; junitGreen: boolean; runCancelled: boolean; truth: TestOutcome }
>;

interface EventCase {
  label: string;
  event: RunEvent;
}

const branchPush = (name: string, message = 'Fix it'): EventCase => ({
  label: `push to ${name}${message.includes('[skip deploy]') ? ' [skip deploy]' : ''}`,
  event: {
    name: 'push',
    ref: `refs/heads/${name}`,
    refType: 'branch',
    refName: name,
    headRef: '',
    baseRef: '',
    isFork: false,
    headCommitMessage: message,
    action: '',
    runConclusion: '',
    pullRequestComment: false,
  },
});
const tagPush = (name: string): EventCase => ({
  label: `push of tag ${name}`,
  event: {
    name: 'push',
    ref: `refs/tags/${name}`,
    refType: 'tag',
    refName: name,
    headRef: '',
    baseRef: '',
    isFork: false,
    headCommitMessage: 'Release',
    action: '',
    runConclusion: '',
    pullRequestComment: false,
  },
});
const fromHead = (
  name: string,
  head: string,
  isFork: boolean,
  runConclusion = name === 'workflow_run' ? 'success' : '',
): EventCase => ({
  label: `${name} from ${head}${isFork ? ' (fork)' : ''}${runConclusion && runConclusion !== 'success' ? ` (run ${runConclusion})` : ''}`,
  event: {
    name,
    ref: name === 'workflow_run' ? 'refs/heads/main' : 'refs/pull/7/merge',
    refType: name === 'workflow_run' ? 'branch' : 'other',
    refName: name === 'workflow_run' ? 'main' : '7/merge',
    headRef: head,
    baseRef: 'main',
    isFork,
    headCommitMessage: '',
    action: name === 'workflow_run' ? 'completed' : 'opened',
    runConclusion,
    pullRequestComment: false,
  },
});
const dispatch = (name: string): EventCase => ({
  label: `workflow_dispatch on ${name}`,
  event: { ...branchPush(name).event, name: 'workflow_dispatch' },
});

const EVENTS: EventCase[] = [
  branchPush('main'),
  branchPush('dev'),
  branchPush('staging'),
  branchPush('feature/login'),
  branchPush('main', 'Docs only [skip deploy]'),
  tagPush('v1.2.0'),
  tagPush('v1.2.0-rc1'),
  dispatch('main'),
  dispatch('feature/login'),
  ...[false, true].flatMap((fork) => [
    fromHead('pull_request', 'feature/login', fork),
    fromHead('pull_request', 'main', fork),
    fromHead('pull_request_target', 'main', fork),
    fromHead('workflow_run', 'main', fork),
  ]),
  fromHead('workflow_run', 'main', false, 'failure'),
];

/** The caller's `with:` (inputs of the reusable workflow), as they would write them. */
const RULES: Record<string, Record<string, string | boolean>> = {
  defaults: {},
  'three environments': {
    'deploy-branches': 'dev, staging, main',
    environments: 'dev=development\nstaging=staging\nmain=production',
  },
  'tag releases': {
    'deploy-branches': '',
    'deploy-tags': 'v*',
    environments: 'v*-rc*=staging\nv*=production',
  },
  'pull requests listed, forks and unsafe events not allowed': {
    'deploy-branches': 'main, feature/*',
    'deploy-events': 'push, pull_request, pull_request_target, workflow_run',
  },
  'everything allowed': {
    'deploy-branches': '**',
    'deploy-events': 'push, pull_request, pull_request_target, workflow_run, workflow_dispatch',
    'allow-fork-deploy': true,
    'allow-unsafe-events': true,
  },
};

const POST_COMMANDS = {
  'post-always-command': 'echo always',
  'post-success-command': 'echo ok',
  'post-failure-command': 'echo failed',
};

function githubContext(event: RunEvent) {
  return {
    event_name: event.name,
    ref: event.ref,
    repository: 'octo-org/octo-service',
    event: { head_commit: { message: event.headCommitMessage } },
  };
}

interface Run {
  results: Record<string, string>;
  reportOutputs: Record<string, string>;
  gateOutcome?: string;
  deployEnvironment?: string;
  deployConcurrency?: string;
  postSteps: string[];
  pipelineResult?: string;
}

/** Walks the reusable workflow's jobs as the runner would, evaluating every condition on the way. */
function simulate(
  event: RunEvent,
  tests: { result: string; junitGreen: boolean; runCancelled: boolean },
  inputs: Record<string, unknown>,
  mergeOutputs: Record<string, string> = {},
): Run {
  const github = githubContext(event);
  const cancelled = tests.runCancelled;
  const results: Record<string, string> = { plan: 'success', test: tests.result };
  const needsOf = (ids: string[]) =>
    Object.fromEntries(
      ids.map((id) => [id, { result: results[id], outputs: id === 'report' ? reportOutputs : {} }]),
    );
  const jobStatus = (ids: string[]): Status => ({
    before: ids.map((id) => results[id]),
    runCancelled: cancelled,
  });
  let reportOutputs: Record<string, string> = {};
  const run: Run = { results, reportOutputs, postSteps: [] };

  // report: the main action merges the JUnit files (failing the step when they show failures),
  // then the gate action decides.
  const report = job('report');
  const reportNeeds = needsOf(['plan', 'test']);
  if (condition(report.if, { github, inputs, needs: reportNeeds }, jobStatus(['plan', 'test']))) {
    const mergeStep = report.steps!.find((s) => s.uses === MAIN_ACTION_REF)!;
    const gateStep = report.steps!.find((s) => s.uses === GATE_ACTION_REF)!;
    const steps: Record<
      string,
      { outcome: string; conclusion: string; outputs: Record<string, string> }
    > = {
      [mergeStep.id!]: {
        outcome: tests.junitGreen ? 'success' : 'failure',
        conclusion: tests.junitGreen ? 'success' : 'failure',
        outputs: mergeOutputs,
      },
    };
    const stepsBefore = Object.values(steps).map((s) => s.conclusion);
    const contexts = { github, inputs, needs: reportNeeds, steps };
    if (condition(gateStep.if, contexts, { before: stepsBefore, runCancelled: cancelled })) {
      const given = Object.fromEntries(
        Object.entries(gateStep.with!).map(([k, v]) => [k, interpolate(v, contexts)]),
      );
      run.gateOutcome = given['test-outcome'];
      const { 'test-outcome': outcomeText, ...raw } = given;
      const decision: Decision = decide(
        event,
        parseTestOutcome(outcomeText),
        parseGateRules(raw as unknown as RawGateRules),
      );
      steps[gateStep.id!] = {
        outcome: 'success',
        conclusion: 'success',
        outputs: {
          deploy: String(decision.deploy),
          environment: decision.environment,
          'deploy-reason': decision.reason,
        },
      };
    }
    reportOutputs = Object.fromEntries(
      Object.entries(report.outputs!).map(([k, v]) => [k, interpolate(v, contexts)]),
    );
    run.reportOutputs = reportOutputs;
    results.report = tests.junitGreen ? 'success' : 'failure';
  } else {
    results.report = 'skipped';
  }

  const deploy = job('deploy');
  const deployNeeds = needsOf(['report']);
  // success() in deploy's if looks at every job up the chain: plan, test and report.
  if (
    condition(
      deploy.if,
      { github, inputs, needs: deployNeeds },
      jobStatus(['plan', 'test', 'report']),
    )
  ) {
    run.deployEnvironment = interpolate(deploy.environment, { needs: deployNeeds });
    run.deployConcurrency = interpolate(deploy.concurrency?.group, { github, needs: deployNeeds });
    results.deploy = 'success';
  } else {
    results.deploy = 'skipped';
  }

  const post = job('post');
  const postIds = post.needs as string[];
  const postNeeds = needsOf(postIds);
  if (condition(post.if, { github, inputs, needs: postNeeds }, jobStatus(postIds))) {
    const env = Object.fromEntries(
      Object.entries(post.env!).map(([k, v]) => [k, interpolate(v, { needs: postNeeds })]),
    );
    run.pipelineResult = env.PIPELINE_RESULT;
    for (const step of post.steps!) {
      if (step.run === undefined) continue;
      if (
        condition(
          step.if,
          { github, inputs, needs: postNeeds, env },
          { before: [], runCancelled: cancelled },
        )
      ) {
        run.postSteps.push(step.env!.POST_COMMAND);
      }
    }
  }
  return run;
}

const table = Object.entries(RULES).flatMap(([rulesLabel, rules]) =>
  Object.entries(TESTS).flatMap(([testsLabel, tests]) =>
    EVENTS.flatMap(({ label, event }) =>
      ['./deploy.sh', ''].map((command) => ({
        name: `${rulesLabel} | tests ${testsLabel} | ${label}${command ? '' : ' | no deploy-command'}`,
        rules,
        tests,
        event,
        command,
      })),
    ),
  ),
);

/** The gate's answer for the tests' true outcome, with the caller's inputs as the gate reads them. */
function expectedDecision(
  event: RunEvent,
  truth: TestOutcome,
  inputs: Record<string, unknown>,
): Decision {
  return decide(
    event,
    truth,
    readGateRules((name) => String(inputs[name])),
  );
}

describe(`${REUSABLE} conditions agree with decide()`, () => {
  it('the table covers deploys to each environment and each kind of refusal', () => {
    const decisions = table.map(({ rules, tests, event }) =>
      expectedDecision(event, tests.truth, { ...defaults, ...rules }),
    );
    expect(new Set(decisions.filter((d) => d.deploy).map((d) => d.environment))).toEqual(
      new Set(['', 'development', 'staging', 'production']),
    );
    const refusals = decisions.filter((d) => !d.deploy).map((d) => d.reason);
    for (const kind of [
      'is not one of',
      'allow-unsafe-events',
      'fork',
      'does not match',
      'tests failed',
      'cancelled',
      '[skip deploy]',
      'concluded failure',
    ]) {
      expect({ kind, seen: refusals.some((reason) => reason.includes(kind)) }).toEqual({
        kind,
        seen: true,
      });
    }
  });

  it.each(table)('$name', ({ rules, tests, event, command }) => {
    const inputs = { ...defaults, ...rules, ...POST_COMMANDS, 'deploy-command': command };
    const expected = expectedDecision(event, tests.truth, inputs);
    const run = simulate(event, tests, inputs);

    // The deploy job runs exactly when the gate says so for the tests' true outcome.
    expect(run.results.deploy === 'success').toBe(expected.deploy && command !== '');
    if (run.results.deploy === 'success') {
      expect(run.deployEnvironment).toBe(expected.environment);
      expect(run.deployConcurrency).toBe(
        `deploy-octo-org/octo-service-${expected.environment || 'default'}`,
      );
    }
    // The workflow's outputs tell callers the same thing, even when a shard crashed unseen.
    if (run.results.report !== 'skipped') {
      expect(run.gateOutcome).toBe(tests.truth);
      expect(run.reportOutputs).toMatchObject({
        deploy: String(expected.deploy),
        environment: expected.environment,
        'deploy-reason': expected.reason,
      });
    } else {
      expect(tests.runCancelled).toBe(true);
      expect(run.reportOutputs.deploy ?? '').not.toBe('true');
    }

    // Post actions: always runs; success and failure exactly one of them.
    const pipeline = tests.runCancelled
      ? 'cancelled'
      : tests.truth === 'success'
        ? 'success'
        : 'failure';
    expect(run.pipelineResult).toBe(pipeline);
    expect(run.postSteps).toEqual([
      '${{ inputs.post-always-command }}',
      pipeline === 'success'
        ? '${{ inputs.post-success-command }}'
        : '${{ inputs.post-failure-command }}',
    ]);
  });

  it("gives the report step's own reason when the tests passed but the report failed (coverage)", () => {
    const inputs = { ...defaults, 'deploy-command': './deploy.sh' };
    // Every test job passed; the merge step failed on the combined coverage, and said so.
    const tests = { result: 'success', junitGreen: false, runCancelled: false };
    const reason = 'not deploying: coverage 71.2% is below 80%';
    const run = simulate(branchPush('main').event, tests, inputs, {
      deploy: 'false',
      environment: '',
      'deploy-reason': reason,
    });
    expect(run.results.deploy).toBe('skipped');
    expect(run.reportOutputs).toMatchObject({ deploy: 'false', 'deploy-reason': reason });
  });

  it('runs no post job when no post command is given', () => {
    const inputs = { ...defaults, 'deploy-command': './deploy.sh' };
    const run = simulate(branchPush('main').event, TESTS.passed, inputs);
    expect(run.results.deploy).toBe('success');
    expect(run.pipelineResult).toBeUndefined();
    expect(run.postSteps).toEqual([]);
  });
});
