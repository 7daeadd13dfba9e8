import { InputError } from '../../src/runner/errors.js';
import { buildRunEvent } from '../../src/runner/event.js';

const repo = (fullName: string, fork = false) => ({ full_name: fullName, fork });
const pr = (head: object | null, base = 'octo-org/octo-service', headRef = 'feature/x') => ({
  pull_request: { head: { ref: headRef, repo: head }, base: { ref: 'main', repo: repo(base) } },
});

describe('buildRunEvent', () => {
  it('reads a push to a branch', () => {
    const event = buildRunEvent(
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/release/1.0' },
      { head_commit: { message: 'Bump version\n\n[skip deploy]' } },
    );
    expect(event).toEqual({
      name: 'push',
      ref: 'refs/heads/release/1.0',
      refType: 'branch',
      refName: 'release/1.0',
      headRef: '',
      baseRef: '',
      isFork: false,
      headCommitMessage: 'Bump version\n\n[skip deploy]',
      action: '',
      runConclusion: '',
      pullRequestComment: false,
      defaultBranch: '',
    });
  });

  it("reads the repository's default branch from the payload", () => {
    const event = buildRunEvent(
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' },
      { ...pr(repo('octo-org/octo-service')), repository: { default_branch: 'trunk' } },
    );
    expect(event.defaultBranch).toBe('trunk');
  });

  it('reads a tag from the ref, whatever GITHUB_REF_TYPE says', () => {
    const event = buildRunEvent(
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_REF_TYPE: 'branch' },
      {},
    );
    expect(event).toMatchObject({ refType: 'tag', refName: 'v1.2.0' });
  });

  it('falls back to GITHUB_REF_TYPE and GITHUB_REF_NAME without GITHUB_REF', () => {
    const event = buildRunEvent(
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v2' },
      {},
    );
    expect(event).toMatchObject({ refType: 'tag', refName: 'v2' });
  });

  it('calls a pull request ref neither branch nor tag, and takes head and base from the runner', () => {
    const event = buildRunEvent(
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_HEAD_REF: 'feature/x',
        GITHUB_BASE_REF: 'main',
      },
      pr(repo('octo-org/octo-service')),
    );
    expect(event).toMatchObject({
      refType: 'other',
      refName: 'pull/7/merge',
      headRef: 'feature/x',
      baseRef: 'main',
      isFork: false,
    });
  });

  it('takes head and base refs from the payload when the runner did not set them', () => {
    const event = buildRunEvent(
      { GITHUB_EVENT_NAME: 'pull_request' },
      pr(repo('octo-org/octo-service'), undefined, 'fix/y'),
    );
    expect(event).toMatchObject({ headRef: 'fix/y', baseRef: 'main' });
  });

  it.each([
    ['the head repository is a fork', pr(repo('octo-org/octo-service', true)), true],
    ['the head repository is another one', pr(repo('mallory/octo-service')), true],
    ['the head repository was deleted', pr(null), true],
    ['the payload has no pull_request object', {}, true],
    ['the head repository is the base repository', pr(repo('octo-org/octo-service')), false],
  ])('a pull request is a fork when %s', (_case, payload, fork) => {
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'pull_request_target' }, payload).isFork).toBe(fork);
  });

  it('reads workflow_run: head branch, fork status and commit message of the run behind it', () => {
    const payload = {
      repository: repo('octo-org/octo-service'),
      workflow_run: {
        head_branch: 'main',
        head_repository: repo('octo-org/octo-service'),
        head_commit: { message: 'm' },
      },
    };
    expect(
      buildRunEvent({ GITHUB_EVENT_NAME: 'workflow_run', GITHUB_REF: 'refs/heads/main' }, payload),
    ).toMatchObject({
      headRef: 'main',
      isFork: false,
      headCommitMessage: 'm',
    });
    const fromFork = {
      ...payload,
      workflow_run: { ...payload.workflow_run, head_repository: repo('mallory/x') },
    };
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'workflow_run' }, fromFork).isFork).toBe(true);
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'workflow_run' }, {}).isFork).toBe(true);
  });

  it('reads the base branch of the pull request behind workflow_run, when the payload lists it', () => {
    const run = (pullRequests: unknown[]) => ({
      repository: repo('octo-org/octo-service'),
      workflow_run: {
        event: 'pull_request',
        head_branch: 'feature',
        head_repository: repo('octo-org/octo-service'),
        pull_requests: pullRequests,
      },
    });
    const env = { GITHUB_EVENT_NAME: 'workflow_run', GITHUB_REF: 'refs/heads/main' };
    const listed = [{ number: 7, base: { ref: 'develop' }, head: { ref: 'feature' } }];
    expect(buildRunEvent(env, run(listed))).toMatchObject({ baseRef: 'develop', pullRequest: 7 });
    // A pull request from a fork: GitHub lists none, so there is no base to compare with.
    const fromFork = buildRunEvent(env, run([]));
    expect(fromFork.baseRef).toBe('');
    expect(fromFork.pullRequest).toBeUndefined();
  });

  it('reads the run behind workflow_run (its event, head owner, branch and commit), and only there', () => {
    const payload = {
      repository: repo('octo-org/octo-service'),
      workflow_run: {
        event: 'pull_request',
        head_branch: 'fix/parser',
        head_sha: 'ab'.repeat(20),
        head_repository: { ...repo('mallory/octo-service'), owner: { login: 'mallory' } },
        pull_requests: [],
      },
    };
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'workflow_run' }, payload).behindRun).toEqual({
      event: 'pull_request',
      headOwner: 'mallory',
      headBranch: 'fix/parser',
      headSha: 'ab'.repeat(20),
    });
    // Wrong types read as empty, never as text of another kind.
    const odd = { workflow_run: { event: 7, head_sha: null, head_repository: { owner: 'x' } } };
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'workflow_run' }, odd).behindRun).toEqual({
      event: '',
      headOwner: '',
      headBranch: '',
      headSha: '',
    });
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'push' }, payload).behindRun).toBeUndefined();
  });

  it('reads the conclusion of the run behind workflow_run, and only for workflow_run', () => {
    const payload = (conclusion: unknown) => ({
      action: 'completed',
      repository: repo('octo-org/octo-service'),
      workflow_run: {
        head_branch: 'main',
        head_repository: repo('octo-org/octo-service'),
        conclusion,
      },
    });
    const env = { GITHUB_EVENT_NAME: 'workflow_run' };
    expect(buildRunEvent(env, payload('failure'))).toMatchObject({
      action: 'completed',
      runConclusion: 'failure',
    });
    expect(buildRunEvent(env, payload(null)).runConclusion).toBe('');
    expect(buildRunEvent({ GITHUB_EVENT_NAME: 'push' }, payload('success')).runConclusion).toBe('');
  });

  it('reads the action of a release', () => {
    const event = buildRunEvent(
      { GITHUB_EVENT_NAME: 'release', GITHUB_REF: 'refs/tags/v1.0.0' },
      { action: 'deleted', release: { tag_name: 'v1.0.0' } },
    );
    expect(event).toMatchObject({ action: 'deleted', refType: 'tag', refName: 'v1.0.0' });
  });

  it('marks an issue_comment on a pull request, which cannot show its code is not a fork', () => {
    const env = { GITHUB_EVENT_NAME: 'issue_comment', GITHUB_REF: 'refs/heads/main' };
    const onPullRequest = {
      action: 'created',
      issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/o/r/pulls/7' } },
      repository: repo('octo-org/octo-service'),
    };
    expect(buildRunEvent(env, onPullRequest)).toMatchObject({
      pullRequestComment: true,
      isFork: true,
    });
    const onIssue = {
      action: 'created',
      issue: { number: 8 },
      repository: repo('octo-org/octo-service'),
    };
    expect(buildRunEvent(env, onIssue)).toMatchObject({
      pullRequestComment: false,
      isFork: false,
    });
    // The same shape under another event name is not a comment.
    expect(
      buildRunEvent({ ...env, GITHUB_EVENT_NAME: 'issues' }, onPullRequest).pullRequestComment,
    ).toBe(false);
  });

  it('reads the head commit message of a merge_group', () => {
    const event = buildRunEvent(
      {
        GITHUB_EVENT_NAME: 'merge_group',
        GITHUB_REF: 'refs/heads/gh-readonly-queue/main/pr-7-abc',
      },
      { merge_group: { head_sha: 'abc', head_commit: { message: 'Merge #7\n\n[skip deploy]' } } },
    );
    expect(event.headCommitMessage).toBe('Merge #7\n\n[skip deploy]');
  });

  it('survives payloads of any shape', () => {
    for (const payload of [
      null,
      42,
      'text',
      [],
      { pull_request: 'x' },
      { head_commit: { message: 7 } },
    ]) {
      expect(() =>
        buildRunEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }, payload),
      ).not.toThrow();
    }
  });

  it('fails with an InputError outside a GitHub Actions job', () => {
    expect(() => buildRunEvent({}, {})).toThrow(InputError);
    expect(() => buildRunEvent({}, {})).toThrow(/GITHUB_EVENT_NAME is not set/);
  });
});
