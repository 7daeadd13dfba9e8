/**
 * The pull request behind a fork's workflow_run (pure): when to look it up, and which item of
 * the API's untrusted list it is.
 */
import {
  matchPullRequest,
  pullRequestLookup,
  type PullRequestQuery,
} from '../../src/report/comment/behind-run.js';
import type { RunEvent } from '../../src/runner/event.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const OTHER_SHA = 'f'.repeat(40);
const REPO = 'octo-org/octo-service';

type LookupEvent = Pick<RunEvent, 'name' | 'pullRequest' | 'behindRun'>;
const forkRun = (behind: Partial<NonNullable<RunEvent['behindRun']>> = {}): LookupEvent => ({
  name: 'workflow_run',
  behindRun: {
    event: 'pull_request',
    headOwner: 'mallory',
    headBranch: 'fix/parser',
    headSha: SHA,
    ...behind,
  },
});

describe('pullRequestLookup', () => {
  it('asks for the open pull requests from the head owner and branch, at the run commit', () => {
    expect(pullRequestLookup('always', forkRun(), 'tok', REPO)).toEqual({
      query: { head: 'mallory:fix/parser', headSha: SHA, repository: REPO },
    });
  });

  it.each<[string, Parameters<typeof pullRequestLookup>]>([
    ['comment: auto', ['auto', forkRun(), 'tok', REPO]],
    ['comment: off', ['off', forkRun(), 'tok', REPO]],
    ['a pull_request event', ['always', { ...forkRun(), name: 'pull_request' }, 'tok', REPO]],
    [
      'the payload lists the pull request',
      ['always', { ...forkRun(), pullRequest: 4 }, 'tok', REPO],
    ],
  ])('looks nothing up, and says nothing, for %s', (_case, args) => {
    expect(pullRequestLookup(...args)).toBeUndefined();
  });

  it.each<[string, LookupEvent, string, string, RegExp]>([
    ['a run behind a push', forkRun({ event: 'push' }), 'tok', REPO, /a push, not a pull_request/],
    ['a payload without the run', { name: 'workflow_run' }, 'tok', REPO, /unknown event/],
    ['no token', forkRun(), '', REPO, /without a token/],
    ['no head owner', forkRun({ headOwner: '' }), 'tok', REPO, /malformed/],
    ['an owner that is no login', forkRun({ headOwner: 'a b' }), 'tok', REPO, /malformed/],
    ['a branch with a colon', forkRun({ headBranch: 'x:y' }), 'tok', REPO, /malformed/],
    ['a short commit', forkRun({ headSha: SHA.slice(0, 7) }), 'tok', REPO, /malformed/],
    ['no repository', forkRun(), 'tok', '', /GITHUB_REPOSITORY/],
  ])('gives one line instead for %s', (_case, event, token, repository, why) => {
    const lookup = pullRequestLookup('always', event, token, repository);
    expect(lookup).toEqual({ line: expect.stringMatching(why) });
    expect((lookup as { line: string }).line).toMatch(/^No pull-request comment: /);
  });
});

describe('matchPullRequest', () => {
  const query: PullRequestQuery = { head: 'mallory:fix/parser', headSha: SHA, repository: REPO };
  const pull = (number: unknown, sha: unknown, target: unknown, baseRef: unknown = 'develop') => ({
    number,
    head: { sha, ref: 'fix/parser' },
    base: { ref: baseRef, repo: { full_name: target } },
  });

  it("finds the one at the run's commit into this repository, with its base branch", () => {
    const pulls = [pull(3, OTHER_SHA, REPO), pull(12, SHA, REPO), pull(5, SHA, 'mallory/other')];
    expect(matchPullRequest(pulls, query)).toEqual({ number: 12, baseRef: 'develop' });
  });

  it('compares the repository and the commit without regard to case', () => {
    expect(matchPullRequest([pull(8, SHA.toUpperCase(), 'Octo-Org/Octo-Service')], query)).toEqual({
      number: 8,
      baseRef: 'develop',
    });
  });

  it('counts the same pull request listed twice (pages that moved) once', () => {
    expect(matchPullRequest([pull(12, SHA, REPO), pull(12, SHA, REPO)], query)).toEqual({
      number: 12,
      baseRef: 'develop',
    });
  });

  it('none: closed, pushed to since, or into another repository', () => {
    const found = matchPullRequest([pull(3, OTHER_SHA, REPO), pull(5, SHA, 'x/y')], query);
    expect(found).toEqual({ line: expect.stringContaining('no open pull request from') });
    expect(matchPullRequest([], query)).toEqual({
      line: expect.stringContaining(`mallory:fix/parser at 0123456 into ${REPO}`),
    });
  });

  it('several: names them and picks none', () => {
    const found = matchPullRequest([pull(12, SHA, REPO), pull(13, SHA, REPO, 'main')], query);
    expect(found).toEqual({ line: expect.stringContaining('2 open pull requests') });
    expect((found as { line: string }).line).toContain('#12, #13');
  });

  it.each<[string, unknown]>([
    ['not an object', 'pull 12'],
    ['null', null],
    ['a number that is text', pull('12', SHA, REPO)],
    ['a fractional number', pull(12.5, SHA, REPO)],
    ['a zero number', pull(0, SHA, REPO)],
    ['a negative number', pull(-12, SHA, REPO)],
    ['a head sha that is no text', pull(12, { sha: SHA }, REPO)],
    ['a base repository that is no text', pull(12, SHA, [REPO])],
    ['a base ref that is no text', pull(12, SHA, REPO, 7)],
    ['an empty base ref', pull(12, SHA, REPO, '')],
    ['a base ref with a newline', pull(12, SHA, REPO, 'main\n::error::x')],
    ['a base ref with a control character', pull(12, SHA, REPO, 'ma\u0001in')],
    ['a base ref like an option', pull(12, SHA, REPO, '--upload-pack=x')],
  ])('skips an item with %s', (_case, item) => {
    expect(matchPullRequest([item], query)).toEqual({ line: expect.any(String) });
    // A good item next to it is still found.
    expect(matchPullRequest([item, pull(9, SHA, REPO)], query)).toEqual({
      number: 9,
      baseRef: 'develop',
    });
  });
});
