/**
 * The triggering event, built from the runner's GITHUB_* variables and the event payload, and
 * the one list of which events run whose code. The deploy gate and the cache policy both judge
 * an event by these. Pure: the caller reads the payload file (see event-file.ts).
 */
import { InputError } from './errors.js';

export interface RunEvent {
  /** GITHUB_EVENT_NAME, e.g. push, pull_request. */
  name: string;
  /** GITHUB_REF, e.g. refs/heads/main, refs/tags/v1.0.0, refs/pull/7/merge. */
  ref: string;
  refType: 'branch' | 'tag' | 'other';
  /** Short name of `ref`: main, v1.0.0, 7/merge. */
  refName: string;
  /** The branch a pull request (or the run behind workflow_run) comes from; empty otherwise. */
  headRef: string;
  /**
   * The branch a pull request targets (also behind workflow_run, when the payload lists the pull
   * request: GitHub leaves `pull_requests` empty for one from a fork); empty otherwise. Read by
   * the base-branch comparison, and by changed-line coverage on pull_request events only.
   */
  baseRef: string;
  /** The code comes from another repository (or we cannot tell that it does not). */
  isFork: boolean;
  headCommitMessage: string;
  /** The payload's `action` (for release: published, deleted, ...); empty when it has none. */
  action: string;
  /** workflow_run: how the run behind it concluded (success, failure, ...); empty otherwise. */
  runConclusion: string;
  /** An issue_comment on a pull request: the comment may act on the pull request's code. */
  pullRequestComment: boolean;
  /** The pull request the run belongs to (also behind workflow_run), when the payload says. */
  pullRequest?: number;
  /**
   * The repository's default branch (payload `repository.default_branch`); empty when unknown.
   * Optional so events built by hand (the gate's tests) need not name it.
   */
  defaultBranch?: string;
  /**
   * workflow_run: the run behind it (its event and where its code came from), so the pull
   * request behind a fork's run, which the payload does not list, can be looked up.
   */
  behindRun?: RunBehind;
}

export interface RunBehind {
  /** The run's own event (`workflow_run.event`), e.g. pull_request, push. */
  event: string;
  /** `workflow_run.head_repository.owner.login`: the fork's owner for a fork's pull request. */
  headOwner: string;
  /** `workflow_run.head_branch`. */
  headBranch: string;
  /** `workflow_run.head_sha`. */
  headSha: string;
}

/** Events whose code is a pull request's head branch rather than GITHUB_REF. */
export const PULL_REQUEST_EVENTS: ReadonlySet<string> = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_comment',
]);

/**
 * Events that run with this repository's secrets and cache scope on code from elsewhere (the
 * fork's pull request, the run behind workflow_run): never a deploy or a cache save unless allowed.
 * An issue_comment on a pull request is one too (see RunEvent.pullRequestComment).
 */
export const UNSAFE_EVENTS: ReadonlySet<string> = new Set(['pull_request_target', 'workflow_run']);

/**
 * Events whose runs build only the repository's own, already merged or maintainer-triggered
 * code. Everything else (pull_request*, workflow_run, issue_comment, ...) may run code from a
 * pull request.
 */
export const TRUSTED_EVENTS: ReadonlySet<string> = new Set([
  'push',
  'schedule',
  'workflow_dispatch',
  'merge_group',
  'repository_dispatch',
  'release',
  'create',
]);

type Env = Record<string, string | undefined>;

/** Reads a nested field of an untyped JSON payload; undefined when any step is missing. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function classifyRef(ref: string, env: Env): Pick<RunEvent, 'refType' | 'refName'> {
  if (ref.startsWith('refs/heads/')) return { refType: 'branch', refName: ref.slice(11) };
  if (ref.startsWith('refs/tags/')) return { refType: 'tag', refName: ref.slice(10) };
  if (ref === '') {
    // Without GITHUB_REF, trust GITHUB_REF_TYPE/NAME if the runner gave them.
    const type = env.GITHUB_REF_TYPE;
    const name = env.GITHUB_REF_NAME ?? '';
    if ((type === 'branch' || type === 'tag') && name !== '')
      return { refType: type, refName: name };
  }
  return { refType: 'other', refName: ref.replace(/^refs\//, '') };
}

/** Repositories differ, or the head one is gone or marked as a fork: the code is not ours. */
function comesFromFork(head: unknown, baseFullName: string): boolean {
  if (head === null || typeof head !== 'object') return true;
  if (field(head, 'fork') === true) return true;
  const headName = text(field(head, 'full_name'));
  return headName === '' || headName !== baseFullName;
}

/** issue_comment on a pull request: GitHub marks such an issue with a `pull_request` object. */
function isPullRequestComment(name: string, payload: unknown): boolean {
  if (name !== 'issue_comment') return false;
  const marker = field(payload, 'issue', 'pull_request');
  return marker !== undefined && marker !== null;
}

function detectFork(name: string, payload: unknown): boolean {
  // The comment's payload does not say where the pull request's code comes from.
  if (isPullRequestComment(name, payload)) return true;
  const pullRequest = field(payload, 'pull_request');
  if (pullRequest !== undefined) {
    return comesFromFork(
      field(pullRequest, 'head', 'repo'),
      text(field(pullRequest, 'base', 'repo', 'full_name')),
    );
  }
  // A pull request event without its pull_request object: we cannot prove the code is ours.
  if (PULL_REQUEST_EVENTS.has(name)) return true;
  const run = field(payload, 'workflow_run');
  if (run !== undefined) {
    return comesFromFork(
      field(run, 'head_repository'),
      text(field(payload, 'repository', 'full_name')),
    );
  }
  if (name === 'workflow_run') return true;
  return false;
}

function pullRequestNumber(name: string, payload: unknown): { pullRequest?: number } {
  const number =
    field(payload, 'pull_request', 'number') ??
    (isPullRequestComment(name, payload) ? field(payload, 'issue', 'number') : undefined) ??
    field(payload, 'workflow_run', 'pull_requests', '0', 'number');
  return typeof number === 'number' && Number.isInteger(number) && number > 0
    ? { pullRequest: number }
    : {};
}

function runBehind(name: string, payload: unknown): { behindRun?: RunBehind } {
  if (name !== 'workflow_run') return {};
  const run = field(payload, 'workflow_run');
  return {
    behindRun: {
      event: text(field(run, 'event')),
      headOwner: text(field(run, 'head_repository', 'owner', 'login')),
      headBranch: text(field(run, 'head_branch')),
      headSha: text(field(run, 'head_sha')),
    },
  };
}

export function buildRunEvent(env: Env, payload: unknown): RunEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  if (name === '') {
    throw new InputError(
      'GITHUB_EVENT_NAME is not set. The deploy gate reads the triggering event from the runner; run it inside a GitHub Actions job.',
    );
  }
  const ref = env.GITHUB_REF ?? '';
  return {
    name,
    ref,
    ...classifyRef(ref, env),
    headRef:
      env.GITHUB_HEAD_REF ||
      text(field(payload, 'pull_request', 'head', 'ref')) ||
      text(field(payload, 'workflow_run', 'head_branch')),
    baseRef:
      env.GITHUB_BASE_REF ||
      text(field(payload, 'pull_request', 'base', 'ref')) ||
      text(field(payload, 'workflow_run', 'pull_requests', '0', 'base', 'ref')),
    isFork: detectFork(name, payload),
    headCommitMessage:
      text(field(payload, 'head_commit', 'message')) ||
      text(field(payload, 'workflow_run', 'head_commit', 'message')) ||
      text(field(payload, 'merge_group', 'head_commit', 'message')),
    action: text(field(payload, 'action')),
    runConclusion:
      name === 'workflow_run' ? text(field(payload, 'workflow_run', 'conclusion')) : '',
    pullRequestComment: isPullRequestComment(name, payload),
    ...pullRequestNumber(name, payload),
    defaultBranch: text(field(payload, 'repository', 'default_branch')),
    ...runBehind(name, payload),
  };
}
