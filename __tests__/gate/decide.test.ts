import { decide } from '../../src/gate/decide.js';
import { pullRequest, pushTag, pushTo, rules } from '../support/gate-events.js';

const threeEnvironments = {
  'deploy-branches': 'dev, staging, main',
  environments: 'dev=development\nstaging=staging\nmain=production',
};

describe('decide', () => {
  it('deploys a push to main with the default rules, without an environment', () => {
    expect(decide(pushTo('main'), 'success', rules())).toEqual({
      deploy: true,
      environment: '',
      reason: 'deploying: push to main matched deploy-branches main',
    });
  });

  it('maps dev, staging and main to three environments', () => {
    const r = rules(threeEnvironments);
    expect(decide(pushTo('dev'), 'success', r)).toEqual({
      deploy: true,
      environment: 'development',
      reason: 'deploying to development: push to dev matched deploy-branches dev',
    });
    expect(decide(pushTo('staging'), 'success', r).environment).toBe('staging');
    expect(decide(pushTo('main'), 'success', r)).toEqual({
      deploy: true,
      environment: 'production',
      reason: 'deploying to production: push to main matched deploy-branches main',
    });
  });

  it.each([
    [
      pushTo('feature/x'),
      'success',
      {},
      'not deploying: branch feature/x does not match deploy-branches main',
    ],
    [pullRequest('main'), 'success', {}, 'not deploying: event pull_request is not one of push'],
    [pushTo('main'), 'failure', {}, 'not deploying: tests failed'],
    [pushTo('main'), 'skipped', {}, 'not deploying: tests were skipped'],
    [pushTo('main'), 'cancelled', {}, 'not deploying: tests were cancelled'],
    [
      pushTag('v1.0.0'),
      'success',
      {},
      'not deploying: tag v1.0.0 does not match deploy-tags (none)',
    ],
    [
      pushTo('main'),
      'success',
      { 'deploy-events': '' },
      'not deploying: event push is not one of (none)',
    ],
    [
      pushTo('main'),
      'success',
      { 'deploy-branches': '' },
      'not deploying: branch main does not match deploy-branches (none)',
    ],
    [
      pushTo('main', { headCommitMessage: 'Tidy up [Skip Deploy]' }),
      'success',
      {},
      'not deploying: the head commit message contains [skip deploy]',
    ],
    [
      pushTo('hotfix', {}),
      'success',
      { 'deploy-branches': 'main, hotfix', environments: 'main=production' },
      'not deploying: branch hotfix matched deploy-branches hotfix but no line of environments',
    ],
    [
      pullRequest('main', 'main', { name: 'pull_request_target' }),
      'success',
      { 'deploy-events': 'pull_request_target' },
      "not deploying: event pull_request_target runs with this repository's secrets on code from elsewhere and allow-unsafe-events is false",
    ],
    [
      pullRequest('main', 'main', { isFork: true }),
      'success',
      { 'deploy-events': 'pull_request' },
      'not deploying: the code comes from a fork and allow-fork-deploy is false',
    ],
    [
      pullRequest('', 'main'),
      'success',
      { 'deploy-events': 'pull_request' },
      'not deploying: event pull_request carries no head branch',
    ],
    [
      pushTo('', { name: 'push', ref: 'refs/notes/x', refType: 'other', refName: 'notes/x' }),
      'success',
      {},
      'not deploying: ref refs/notes/x is neither a branch nor a tag',
    ],
  ] as const)('%#: %s', (event, outcome, overrides, reason) => {
    expect(decide(event, outcome, rules(overrides))).toEqual({
      deploy: false,
      environment: '',
      reason,
    });
  });

  it('deploys tags through deploy-tags, release candidates first because the first line wins', () => {
    const r = rules({
      'deploy-branches': '',
      'deploy-tags': 'v*',
      environments: 'v*-rc*=staging\nv*=production',
    });
    expect(decide(pushTag('v1.2.0-rc1'), 'success', r)).toEqual({
      deploy: true,
      environment: 'staging',
      reason: 'deploying to staging: push of tag v1.2.0-rc1 matched deploy-tags v*',
    });
    expect(decide(pushTag('v1.2.0'), 'success', r).environment).toBe('production');
    expect(decide(pushTo('v1'), 'success', r).deploy).toBe(false);
  });

  it('can tell a tag from a branch of the same name with a refs/ pattern', () => {
    const r = rules({
      'deploy-branches': 'v*',
      'deploy-tags': 'v*',
      environments: 'refs/tags/v*=production\nv*=preview',
    });
    expect(decide(pushTag('v1'), 'success', r).environment).toBe('production');
    expect(decide(pushTo('v1'), 'success', r).environment).toBe('preview');
  });

  it('matches a pull request by its head branch, never its base', () => {
    const r = rules({
      'deploy-events': 'pull_request',
      'deploy-branches': 'preview/*',
      environments: 'preview/*=preview',
    });
    expect(decide(pullRequest('preview/login', 'main'), 'success', r)).toEqual({
      deploy: true,
      environment: 'preview',
      reason:
        'deploying to preview: pull_request from preview/login matched deploy-branches preview/*',
    });
    // A pull request from feature/x into main must not deploy main's environment.
    expect(
      decide(
        pullRequest('feature/x', 'main'),
        'success',
        rules({ 'deploy-events': 'pull_request' }),
      ).deploy,
    ).toBe(false);
  });

  it('deploys on unsafe events and from forks only when explicitly allowed', () => {
    const base = {
      'deploy-events': 'pull_request_target, workflow_run',
      'deploy-branches': 'main',
    };
    const fromFork = pullRequest('main', 'main', { name: 'pull_request_target', isFork: true });
    expect(
      decide(fromFork, 'success', rules({ ...base, 'allow-unsafe-events': 'true' })).reason,
    ).toMatch(/fork/);
    expect(
      decide(
        fromFork,
        'success',
        rules({ ...base, 'allow-unsafe-events': 'true', 'allow-fork-deploy': 'true' }),
      ),
    ).toEqual({
      deploy: true,
      environment: '',
      reason: 'deploying: pull_request_target from main matched deploy-branches main',
    });
    const run = pushTo('main', { name: 'workflow_run', headRef: 'main', runConclusion: 'success' });
    expect(decide(run, 'success', rules(base)).deploy).toBe(false);
    expect(decide(run, 'success', rules({ ...base, 'allow-unsafe-events': 'true' })).reason).toBe(
      'deploying: workflow_run from main matched deploy-branches main',
    );
  });

  it('deploys workflow_dispatch and release when listed', () => {
    const r = rules({ 'deploy-events': 'workflow_dispatch, release', 'deploy-tags': 'v*' });
    expect(decide(pushTo('main', { name: 'workflow_dispatch' }), 'success', r).reason).toBe(
      'deploying: workflow_dispatch to main matched deploy-branches main',
    );
    expect(
      decide(pushTag('v3', { name: 'release', action: 'published' }), 'success', r).deploy,
    ).toBe(true);
  });

  it.each(['published', 'released', 'prereleased'])('deploys a release %s', (action) => {
    const r = rules({ 'deploy-events': 'release', 'deploy-tags': 'v*' });
    expect(decide(pushTag('v3', { name: 'release', action }), 'success', r)).toEqual({
      deploy: true,
      environment: '',
      reason: 'deploying: release of tag v3 matched deploy-tags v*',
    });
  });

  it.each(['deleted', 'unpublished', 'created', 'edited', ''])(
    'does not deploy a release with action "%s"',
    (action) => {
      const r = rules({ 'deploy-events': 'release', 'deploy-tags': 'v*' });
      expect(decide(pushTag('v3', { name: 'release', action }), 'success', r)).toEqual({
        deploy: false,
        environment: '',
        reason: `not deploying: release action ${action || '(none)'} is not one of published, released, prereleased`,
      });
    },
  );

  it('does not deploy a workflow_run behind a run that did not succeed, even when allowed', () => {
    const r = rules({ 'deploy-events': 'workflow_run', 'allow-unsafe-events': 'true' });
    const run = (runConclusion: string) =>
      pushTo('main', { name: 'workflow_run', headRef: 'main', runConclusion });
    expect(decide(run('failure'), 'success', r).reason).toBe(
      'not deploying: the run behind workflow_run concluded failure, not success',
    );
    expect(decide(run('cancelled'), 'success', r).deploy).toBe(false);
    expect(decide(run(''), 'success', r).reason).toBe(
      'not deploying: the run behind workflow_run has not concluded',
    );
    expect(decide(run('success'), 'success', r).deploy).toBe(true);
  });

  it('treats a comment on a pull request as untrusted: both allow-* switches must be on', () => {
    const comment = pushTo('main', {
      name: 'issue_comment',
      action: 'created',
      pullRequestComment: true,
      isFork: true,
    });
    const listed = { 'deploy-events': 'issue_comment' };
    expect(decide(comment, 'success', rules(listed)).reason).toBe(
      "not deploying: event issue_comment on a pull request runs with this repository's secrets on code from elsewhere and allow-unsafe-events is false",
    );
    expect(
      decide(comment, 'success', rules({ ...listed, 'allow-unsafe-events': 'true' })).reason,
    ).toBe(
      "not deploying: a comment's payload cannot show that the pull request's code is not from a fork, and allow-fork-deploy is false",
    );
    expect(
      decide(
        comment,
        'success',
        rules({ ...listed, 'allow-unsafe-events': 'true', 'allow-fork-deploy': 'true' }),
      ).reason,
    ).toBe('deploying: issue_comment to main matched deploy-branches main');
    // A comment on a plain issue cannot bring code with it: an ordinary event.
    const onIssue = { ...comment, pullRequestComment: false, isFork: false };
    expect(decide(onIssue, 'success', rules(listed)).deploy).toBe(true);
  });
});
