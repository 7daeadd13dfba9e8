/**
 * Every workflow and action file read by GitHub's own parser (@actions/workflow-parser), calls into
 * the reusable workflow checked against its inputs, and the house rules for workflows: pinned
 * third-party actions, nothing interpolated into scripts, deploy jobs that cannot overlap.
 */
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import {
  convertActionTemplate,
  parseAction,
  type ActionTemplate,
} from '@actions/workflow-parser/actions/index';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import {
  ACTIONS,
  GATE_ACTION_REF,
  MAIN_ACTION_REF,
  read,
  readWorkflow,
  REUSABLE,
  REUSABLE_REF,
  WORKFLOWS,
  type JobYaml,
  type StepYaml,
} from '../support/workflow-files.js';

/** Serves `owner/repo/path@ref` of our own repository from the working tree, like GitHub would. */
const ownFiles = {
  getFileContent(ref: FileReference) {
    if (
      'repository' in ref &&
      `${ref.owner}/${ref.repository}/${ref.path}@${ref.version}` === REUSABLE_REF
    ) {
      return Promise.resolve({ name: REUSABLE, content: read(REUSABLE) });
    }
    if (!('repository' in ref)) return Promise.resolve({ name: ref.path, content: read(ref.path) });
    return Promise.reject(new Error(`not one of ours: ${JSON.stringify(ref)}`));
  },
};

/** Parser and converter errors of a workflow, with the reusable workflows it calls fetched. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || !parsed.value) return errors;
  const template = await convertWorkflowTemplate(parsed.context, parsed.value, ownFiles, {
    fetchReusableWorkflowDepth: 1,
  });
  return (template.errors ?? []).map((e) => e.Message);
}

function readAction(path: string): { errors: string[]; template: ActionTemplate } {
  const parsed = parseAction({ name: path, content: read(path) }, new NoOperationTraceWriter());
  const template = parsed.value
    ? convertActionTemplate(parsed.context, parsed.value)
    : ({} as ActionTemplate);
  return { errors: parsed.context.errors.getErrors().map((e) => e.message), template };
}

const jobsOf = (path: string): [string, JobYaml][] => Object.entries(readWorkflow(path).jobs);
const stepsOf = (path: string): [string, StepYaml][] =>
  jobsOf(path).flatMap(([id, job]) =>
    (job.steps ?? []).map((step): [string, StepYaml] => [id, step]),
  );

describe("GitHub's workflow parser", () => {
  it('reports what is wrong in a call to the reusable workflow (the check really runs)', async () => {
    const caller = (withBlock: string) =>
      `on: push\njobs:\n  ci:\n    uses: ${REUSABLE_REF}\n    with:\n${withBlock}`;
    expect(await workflowErrors('ok.yml', caller('      shards: 2\n'))).toEqual([]);
    expect(await workflowErrors('bad.yml', caller('      no-such-input: x\n'))).toEqual([
      expect.stringContaining(
        'Invalid input, no-such-input is not defined in the referenced workflow',
      ),
    ]);
  });

  it.each(WORKFLOWS)(
    '%s parses without errors (with the reusable workflows it calls)',
    async (path) => {
      expect(await workflowErrors(path, read(path))).toEqual([]);
    },
  );

  it.each(ACTIONS)('%s parses without errors and runs on node24', (path) => {
    const { errors, template } = readAction(path);
    expect(errors).toEqual([]);
    expect(template.runs).toMatchObject({ using: 'node24' });
    expect(template.name).toBeTruthy();
    expect(template.description).toBeTruthy();
    expect(template.author).toBeTruthy();
    expect(template.branding).toBeDefined();
    for (const input of template.inputs ?? []) expect(input.description).toBeTruthy();
  });
});

describe('calls into our actions and reusable workflow', () => {
  const actionInputs = (path: string) => readAction(path).template.inputs ?? [];
  const targets: Record<string, string> = {
    [MAIN_ACTION_REF]: 'action.yml',
    './': 'action.yml',
    [GATE_ACTION_REF]: 'gate/action.yml',
    './gate': 'gate/action.yml',
  };
  const calls = WORKFLOWS.flatMap((path) =>
    stepsOf(path)
      .filter(([, step]) => step.uses !== undefined && step.uses in targets)
      .map(([job, step]) => ({
        where: `${path} job ${job}`,
        uses: step.uses as string,
        with: step.with ?? {},
      })),
  );

  it('are made by the workflows (so the checks below check something)', () => {
    expect(calls.filter((c) => c.uses === MAIN_ACTION_REF).length).toBeGreaterThan(3);
    expect(calls.filter((c) => c.uses === GATE_ACTION_REF).length).toBeGreaterThan(1);
    expect(calls.some((c) => c.uses === './')).toBe(true);
    expect(calls.some((c) => c.uses === './gate')).toBe(true);
  });

  it.each(calls.map((c) => [c.where, c.uses, c] as const))(
    '%s: %s passes only declared inputs, all required ones',
    (_where, uses, call) => {
      const inputs = actionInputs(targets[uses]);
      const declared = inputs.map((i) => i.id);
      expect(Object.keys(call.with).filter((name) => !declared.includes(name))).toEqual([]);
      const missing = inputs.filter(
        (i) => i.required && i.default === undefined && !(i.id in call.with),
      );
      expect(missing.map((i) => i.id)).toEqual([]);
    },
  );

  it("the examples call the reusable workflow, and GitHub's parser checks those calls", async () => {
    const callers = WORKFLOWS.filter((path) =>
      jobsOf(path).some(([, job]) => job.uses === REUSABLE_REF),
    );
    expect(callers.length).toBeGreaterThan(0);
    // A required input left out is an error too (shown on a copy of ours with one input required).
    const required = read(REUSABLE).replace(
      /(\n {6}deploy-command:\n(?: {8}.*\n)*? {8}type: string\n)/,
      '$1        required: true\n',
    );
    expect(required).not.toEqual(read(REUSABLE));
    const provider = {
      getFileContent: () => Promise.resolve({ name: REUSABLE, content: required }),
    };
    const parsed = parseWorkflow(
      { name: 'c.yml', content: `on: push\njobs:\n  ci:\n    uses: ${REUSABLE_REF}\n` },
      new NoOperationTraceWriter(),
    );
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!, provider, {
      fetchReusableWorkflowDepth: 1,
    });
    expect(template.errors?.map((e) => e.Message)).toEqual([
      expect.stringContaining('Input deploy-command is required, but not provided while calling.'),
    ]);
  });
});

describe('house rules for workflows', () => {
  const usesLines = WORKFLOWS.flatMap((path) =>
    read(path)
      .split('\n')
      .map((line) => /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ path, ref: m[1], rest: m[2] })),
  );
  const thirdParty = usesLines.filter(
    ({ ref }) =>
      !ref.startsWith('./') && !ref.startsWith('py-cicd/python-ci') && !ref.startsWith('docker://'),
  );

  it('pin every third-party action to a full commit SHA with its version in a comment', () => {
    expect(thirdParty.length).toBeGreaterThan(5);
    for (const { path, ref, rest } of thirdParty) {
      expect({ path, ref }).toEqual({
        path,
        ref: expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/),
      });
      expect({ path, ref, rest }).toEqual({
        path,
        ref,
        rest: expect.stringMatching(/^\s+# v\d+\.\d+\.\d+$/),
      });
    }
  });

  it('pin one version of each action everywhere', () => {
    const byAction = new Map<string, Set<string>>();
    for (const { ref } of thirdParty) {
      const [action, sha] = ref.split('@');
      byAction.set(action, (byAction.get(action) ?? new Set()).add(sha));
    }
    for (const [action, shas] of byAction)
      expect({ action, shas: [...shas] }).toEqual({ action, shas: [expect.any(String)] });
  });

  it('never interpolate an expression into a script: values reach run: through env:', () => {
    for (const path of WORKFLOWS) {
      for (const [job, step] of stepsOf(path)) {
        if (step.run !== undefined)
          expect({ path, job, run: step.run }).toEqual({
            path,
            job,
            run: expect.not.stringContaining('${{'),
          });
      }
    }
  });

  it('keep the token read-only at the top and never persist checkout credentials', () => {
    for (const path of WORKFLOWS) {
      expect({ path, permissions: readWorkflow(path).permissions }).toEqual({
        path,
        permissions: { contents: 'read' },
      });
      for (const [, step] of stepsOf(path)) {
        if (step.uses?.startsWith('actions/checkout@'))
          expect(step.with).toMatchObject({ 'persist-credentials': false });
      }
    }
  });

  it('give every job with an environment a per-environment concurrency group that never cancels a deploy', () => {
    const deployJobs = WORKFLOWS.flatMap((path) =>
      jobsOf(path)
        .filter(([, job]) => job.environment !== undefined)
        .map(([id, job]) => ({ path, id, job })),
    );
    // Every workflow but a few deploys; fork-pr-comment.yml only comments, by design.
    expect(deployJobs.length).toBeGreaterThanOrEqual(WORKFLOWS.length - 4);
    for (const { path, id, job } of deployJobs) {
      const where = `${path} job ${id}`;
      expect({ where, group: job.concurrency?.group }).toEqual({
        where,
        group: expect.stringMatching(/outputs\.environment/),
      });
      expect({ where, cancel: job.concurrency?.['cancel-in-progress'] }).toEqual({
        where,
        cancel: false,
      });
      expect({ where, permissions: job.permissions }).toEqual({
        where,
        permissions: { contents: 'read' },
      });
      expect({ where, if: job.if }).toEqual({
        where,
        if: expect.stringMatching(/outputs\.deploy == 'true'/),
      });
    }
  });
});

describe('the reusable workflow', () => {
  const workflow = readWorkflow(REUSABLE);
  const call = workflow.on.workflow_call as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };

  it('takes the inputs of the issue and gives the deploy decision and test counts', () => {
    expect(Object.keys(call.inputs)).toEqual(
      expect.arrayContaining([
        'python-versions',
        'os',
        'working-directory',
        'requirements',
        'dependency-groups',
        'pytest-args',
        'shards',
        'deploy-branches',
        'deploy-tags',
        'deploy-events',
        'environments',
        'allow-fork-deploy',
        'allow-unsafe-events',
        'deploy-command',
        'post-always-command',
        'post-success-command',
        'post-failure-command',
      ]),
    );
    expect(Object.keys(call.outputs)).toEqual(
      expect.arrayContaining([
        'deploy',
        'environment',
        'deploy-reason',
        'tests',
        'passed',
        'failed',
        'errors',
        'skipped',
      ]),
    );
  });

  it('runs test -> report -> deploy, with the deploy environment from the gate', () => {
    const { test, report, deploy, post } = workflow.jobs;
    expect(test.steps?.some((s) => s.uses === MAIN_ACTION_REF)).toBe(true);
    expect(test.steps?.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(report.steps?.find((s) => s.uses === MAIN_ACTION_REF)?.with).toHaveProperty(
      'junit-files',
    );
    expect(report.steps?.some((s) => s.uses === GATE_ACTION_REF)).toBe(true);
    expect(deploy.needs).toBe('report');
    expect(deploy.environment).toBe('${{ needs.report.outputs.environment }}');
    expect(deploy.steps?.find((s) => s.run)?.env).toHaveProperty(
      'DEPLOY_COMMAND',
      '${{ inputs.deploy-command }}',
    );
    expect(post.if).toMatch(/^\$\{\{ always\(\)/);
    expect(post.needs).toEqual(expect.arrayContaining(['test', 'report', 'deploy']));
  });

  it('leaves annotations, the pull-request comment and the results entry to the report job', () => {
    const { test, report } = workflow.jobs;
    // Each matrix job would otherwise write its own sticky comment next to the report job's.
    const testWith = test.steps?.find((s) => s.uses === MAIN_ACTION_REF)?.with;
    expect(testWith).toMatchObject({ annotations: false, comment: 'off' });
    const reportWith = report.steps?.find((s) => s.uses === MAIN_ACTION_REF)?.with ?? {};
    expect(reportWith).not.toHaveProperty('comment');
    expect(reportWith).not.toHaveProperty('annotations');
  });

  it('reruns in the test jobs; the report job gives flaky and applies fail-on-flaky once', () => {
    expect(call.inputs).toHaveProperty('reruns');
    expect(call.inputs).toHaveProperty('fail-on-flaky');
    expect(call.outputs.flaky).toMatchObject({ value: '${{ jobs.report.outputs.flaky }}' });
    const { test, report } = workflow.jobs;
    const testStep = test.steps?.find((s) => s.uses === MAIN_ACTION_REF);
    expect(testStep?.with).toMatchObject({
      reruns: '${{ inputs.reruns }}',
      'fail-on-flaky': false,
    });
    const reportStep = report.steps?.find((s) => s.uses === MAIN_ACTION_REF);
    expect(reportStep?.id).toBe('report');
    expect(reportStep?.with).toMatchObject({
      reruns: '${{ inputs.reruns }}',
      'fail-on-flaky': '${{ inputs.fail-on-flaky }}',
    });
    expect(report.outputs).toHaveProperty('flaky', '${{ steps.report.outputs.flaky }}');
  });
});
