/**
 * The gate action through its real bundle, run as the GitHub runner runs it (tools/harness.ts),
 * under each Node the action may meet.
 */
import { execFileSync } from 'node:child_process';
import { nodeBinaries, repoRoot, runAction, type EventContext } from '../../tools/harness.js';

const GATE = { entry: 'dist/gate/index.js', actionYml: 'gate/action.yml' };
const SAME_REPO = { full_name: 'octo-org/octo-service', fork: false };

beforeAll(() => {
  // Only the gate's bundle: the main one belongs to other tests and is slower to build.
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      'src/gate/index.ts',
      '-o',
      'dist/gate',
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    {
      cwd: repoRoot,
      stdio: 'pipe',
    },
  );
}, 180_000);

const push = (ref: string, message = 'Fix it'): EventContext => ({
  name: 'push',
  ref,
  payload: { ref, head_commit: { message }, repository: SAME_REPO },
});

describe.each(nodeBinaries())('gate bundle under %s', (node) => {
  const gate = (inputs: Record<string, string>, event: EventContext) =>
    runAction({ ...GATE, node, inputs, event });

  it('deploys a push to main to production', async () => {
    const r = await gate({ environments: 'main=production' }, push('refs/heads/main'));
    expect(r.exitCode).toBe(0);
    expect(r.errors).toEqual([]);
    const reason = 'deploying to production: push to main matched deploy-branches main';
    expect(r.outputs).toEqual({
      deploy: 'true',
      environment: 'production',
      'deploy-reason': reason,
    });
    expect(r.stdout).toContain(reason);
    expect(r.summary).toContain(`**Deploy gate**: ${reason}`);
  });

  it('does not deploy a push to a feature branch, and says why', async () => {
    const r = await gate({ environments: 'main=production' }, push('refs/heads/feature/login'));
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({
      deploy: 'false',
      environment: '',
      'deploy-reason': 'not deploying: branch feature/login does not match deploy-branches main',
    });
  });

  it('does not deploy a pull request from a fork, even when pull requests may deploy', async () => {
    const event: EventContext = {
      name: 'pull_request',
      ref: 'refs/pull/7/merge',
      headRef: 'main',
      baseRef: 'main',
      payload: {
        pull_request: {
          head: { ref: 'main', repo: { full_name: 'mallory/octo-service', fork: true } },
          base: { ref: 'main', repo: SAME_REPO },
        },
      },
    };
    const inputs = { 'deploy-events': 'push, pull_request', 'deploy-branches': '**' };
    const r = await gate(inputs, event);
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      deploy: 'false',
      'deploy-reason': 'not deploying: the code comes from a fork and allow-fork-deploy is false',
    });
    // The same pull request from a branch of this repository deploys.
    const own = {
      ...event,
      payload: {
        pull_request: {
          head: { ref: 'main', repo: SAME_REPO },
          base: { ref: 'main', repo: SAME_REPO },
        },
      },
    };
    expect((await gate(inputs, own)).outputs.deploy).toBe('true');
  });

  it('deploys a release tag to the environment of the first matching line', async () => {
    const inputs = {
      'deploy-branches': '',
      'deploy-tags': 'v*',
      environments: 'v*-rc*=staging\nv*=production',
    };
    const release = await gate(inputs, push('refs/tags/v1.2.0'));
    expect(release.outputs).toEqual({
      deploy: 'true',
      environment: 'production',
      'deploy-reason': 'deploying to production: push of tag v1.2.0 matched deploy-tags v*',
    });
    expect((await gate(inputs, push('refs/tags/v1.3.0-rc1'))).outputs.environment).toBe('staging');
    expect((await gate(inputs, push('refs/heads/main'))).outputs.deploy).toBe('false');
  });

  it('does not deploy after failed tests or with [skip deploy]', async () => {
    const failed = await gate({ 'test-outcome': 'failure' }, push('refs/heads/main'));
    expect(failed.outputs['deploy-reason']).toBe('not deploying: tests failed');
    const skipped = await gate({}, push('refs/heads/main', 'Docs\n\n[skip deploy]'));
    expect(skipped.outputs['deploy-reason']).toBe(
      'not deploying: the head commit message contains [skip deploy]',
    );
  });

  it('does not deploy a workflow_run behind a failed run, even with allow-unsafe-events', async () => {
    const run = (conclusion: string): EventContext => ({
      name: 'workflow_run',
      ref: 'refs/heads/main',
      payload: {
        action: 'completed',
        repository: SAME_REPO,
        workflow_run: {
          conclusion,
          head_branch: 'main',
          head_repository: SAME_REPO,
          head_commit: { message: 'Fix it' },
        },
      },
    });
    const inputs = { 'deploy-events': 'workflow_run', 'allow-unsafe-events': 'true' };
    const failed = await gate(inputs, run('failure'));
    expect(failed.exitCode).toBe(0);
    expect(failed.outputs).toEqual({
      deploy: 'false',
      environment: '',
      'deploy-reason': 'not deploying: the run behind workflow_run concluded failure, not success',
    });
    expect((await gate(inputs, run('success'))).outputs.deploy).toBe('true');
  });

  it('does not deploy on a comment on a pull request unless both allow-* switches are on', async () => {
    const comment: EventContext = {
      name: 'issue_comment',
      ref: 'refs/heads/main',
      payload: {
        action: 'created',
        comment: { body: '/deploy' },
        issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/o/r/pulls/7' } },
        repository: SAME_REPO,
      },
    };
    const listed = { 'deploy-events': 'issue_comment' };
    const refused = await gate(listed, comment);
    expect(refused.exitCode).toBe(0);
    expect(refused.outputs).toEqual({
      deploy: 'false',
      environment: '',
      'deploy-reason':
        "not deploying: event issue_comment on a pull request runs with this repository's secrets on code from elsewhere and allow-unsafe-events is false",
    });
    const unsafeOnly = await gate({ ...listed, 'allow-unsafe-events': 'true' }, comment);
    expect(unsafeOnly.outputs.deploy).toBe('false');
    const both = { ...listed, 'allow-unsafe-events': 'true', 'allow-fork-deploy': 'true' };
    expect((await gate(both, comment)).outputs.deploy).toBe('true');
  });

  it('deploys a release only on the actions that publish it', async () => {
    const release = (action: string): EventContext => ({
      name: 'release',
      ref: 'refs/tags/v1.2.0',
      payload: { action, release: { tag_name: 'v1.2.0' }, repository: SAME_REPO },
    });
    const inputs = { 'deploy-events': 'release', 'deploy-branches': '', 'deploy-tags': 'v*' };
    for (const action of ['deleted', 'unpublished']) {
      const r = await gate(inputs, release(action));
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toEqual({
        deploy: 'false',
        environment: '',
        'deploy-reason': `not deploying: release action ${action} is not one of published, released, prereleased`,
      });
    }
    expect((await gate(inputs, release('published'))).outputs).toMatchObject({
      deploy: 'true',
      'deploy-reason': 'deploying: release of tag v1.2.0 matched deploy-tags v*',
    });
  });

  it('reads [skip deploy] from a merge_group head commit', async () => {
    const group = (message: string): EventContext => ({
      name: 'merge_group',
      ref: 'refs/heads/gh-readonly-queue/main/pr-7-0123abc',
      payload: {
        action: 'checks_requested',
        merge_group: { head_sha: '0123abc', head_commit: { message } },
        repository: SAME_REPO,
      },
    });
    const inputs = {
      'deploy-events': 'merge_group',
      'deploy-branches': 'gh-readonly-queue/main/**',
    };
    const skipped = await gate(inputs, group('Merge #7: docs\n\n[skip deploy]'));
    expect(skipped.outputs['deploy-reason']).toBe(
      'not deploying: the head commit message contains [skip deploy]',
    );
    expect((await gate(inputs, group('Merge #7: fix'))).outputs.deploy).toBe('true');
  });

  it.each([
    [
      { environments: 'main=production\nfoo' },
      'environments line 2 "foo" is not pattern=environment. Write one pattern=environment per line, e.g. main=production or v*=production.',
    ],
    [
      { 'deploy-branches': 'main\nrelease/[0-9' },
      'deploy-branches line 2 "release/[0-9" has a "[" without a closing "]". Write one glob per line or comma, e.g. main or release/*.',
    ],
    [{ 'test-outcome': '' }, 'test-outcome is empty.'],
    [
      { deploy_branch: 'main', 'python-version': '3.12' },
      'Unknown inputs "deploy_branch" (did you mean deploy-branches?), "python-version": The gate action has no inputs of these names',
    ],
  ])(
    'fails on bad input %j with one clear ::error, no stack trace, and deploy=false',
    async (inputs, message) => {
      const r = await gate(inputs, push('refs/heads/main'));
      expect(r.exitCode).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toContain(message);
      // The same failure path as the main action: a failed gate says it does not deploy.
      expect(r.outputs).toEqual({
        deploy: 'false',
        environment: '',
        'deploy-reason': 'not deploying: the step failed; see its error',
      });
      expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
    },
  );

  it('fails cleanly, with deploy=false, on an unreadable event payload', async () => {
    const r = await runAction({
      ...GATE,
      node,
      inputs: {},
      event: { name: 'push', ref: 'refs/heads/main' },
      env: { GITHUB_EVENT_PATH: '/nonexistent/event.json' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^GITHUB_EVENT_PATH \/nonexistent\/event\.json cannot be read/);
    expect(r.outputs.deploy).toBe('false');
  });
});
