/**
 * The deploy decision: the one place that says whether this run deploys, where, and why.
 * Pure and total: the same event, outcome and rules always give the same Decision.
 */
import type { Decision } from './decision.js';
import { matchRefPatterns, patternMatches, type RefName, type RefPattern } from './glob.js';
import { PULL_REQUEST_EVENTS, UNSAFE_EVENTS, type RunEvent } from '../runner/event.js';
import type { GateRules } from './rules.js';

export const TEST_OUTCOMES = ['success', 'failure', 'skipped', 'cancelled'] as const;
export type TestOutcome = (typeof TEST_OUTCOMES)[number];

/**
 * Release actions that publish a release. created (drafts too), edited, unpublished and deleted
 * do not: deploying a deleted release would ship what its owner just withdrew.
 */
export const PUBLISHING_RELEASE_ACTIONS: readonly string[] = [
  'published',
  'released',
  'prereleased',
];

/** A head commit message containing this (any case) blocks the deploy. */
export const SKIP_MARKER = '[skip deploy]';

/** What would be deployed: a branch or a tag, and how to say so in a reason. */
interface Subject {
  kind: 'branch' | 'tag';
  ref: RefName;
  /** e.g. "push to main", "push of tag v1.2.0", "pull_request from feature/x". */
  phrase: string;
}

function subjectOf(event: RunEvent): Subject | string {
  // For pull requests and workflow_run, the code is the head branch's, not GITHUB_REF's.
  if (PULL_REQUEST_EVENTS.has(event.name) || event.name === 'workflow_run') {
    if (event.headRef === '') return `event ${event.name} carries no head branch`;
    const ref = { name: event.headRef, fullRef: `refs/heads/${event.headRef}` };
    return { kind: 'branch', ref, phrase: `${event.name} from ${event.headRef}` };
  }
  const ref = { name: event.refName, fullRef: event.ref || `refs/heads/${event.refName}` };
  if (event.refType === 'branch') {
    return { kind: 'branch', ref, phrase: `${event.name} to ${event.refName}` };
  }
  if (event.refType === 'tag') {
    return {
      kind: 'tag',
      ref: { ...ref, fullRef: event.ref || `refs/tags/${event.refName}` },
      phrase: `${event.name} of tag ${event.refName}`,
    };
  }
  return `ref ${event.ref || '(none)'} is neither a branch nor a tag`;
}

function listed(patterns: readonly { source: string }[]): string {
  return patterns.length === 0 ? '(none)' : patterns.map((p) => p.source).join(', ');
}

function testsProblem(outcome: TestOutcome): string | undefined {
  if (outcome === 'success') return undefined;
  return outcome === 'failure' ? 'tests failed' : `tests were ${outcome}`;
}

/** What the trigger itself says against deploying: a withdrawn release, a failed run. */
function triggerProblem(event: RunEvent): string | undefined {
  if (event.name === 'release' && !PUBLISHING_RELEASE_ACTIONS.includes(event.action)) {
    return `release action ${event.action || '(none)'} is not one of ${PUBLISHING_RELEASE_ACTIONS.join(', ')}`;
  }
  if (event.name === 'workflow_run' && event.runConclusion !== 'success') {
    return event.runConclusion === ''
      ? 'the run behind workflow_run has not concluded'
      : `the run behind workflow_run concluded ${event.runConclusion}, not success`;
  }
  return undefined;
}

function no(reason: string): Decision {
  return { deploy: false, environment: '', reason: `not deploying: ${reason}` };
}

/**
 * `coverageProblem`: what the tests' coverage says against deploying (the main action's
 * threshold, e.g. "coverage 71.2% is below 80%"); judged after the tests themselves.
 */
export function decide(
  event: RunEvent,
  testOutcome: TestOutcome,
  rules: GateRules,
  coverageProblem?: string,
): Decision {
  if (!rules.deployEvents.includes(event.name)) {
    return no(`event ${event.name} is not one of ${rules.deployEvents.join(', ') || '(none)'}`);
  }
  if ((UNSAFE_EVENTS.has(event.name) || event.pullRequestComment) && !rules.allowUnsafeEvents) {
    const what = event.pullRequestComment ? `${event.name} on a pull request` : event.name;
    return no(
      `event ${what} runs with this repository's secrets on code from elsewhere and allow-unsafe-events is false`,
    );
  }
  if (event.isFork && !rules.allowForkDeploy) {
    return no(
      event.pullRequestComment
        ? "a comment's payload cannot show that the pull request's code is not from a fork, and allow-fork-deploy is false"
        : 'the code comes from a fork and allow-fork-deploy is false',
    );
  }
  const trigger = triggerProblem(event);
  if (trigger) return no(trigger);

  const subject = subjectOf(event);
  if (typeof subject === 'string') return no(subject);
  const input = subject.kind === 'branch' ? 'deploy-branches' : 'deploy-tags';
  const patterns: RefPattern[] =
    subject.kind === 'branch' ? rules.deployBranches : rules.deployTags;
  const matched = matchRefPatterns(patterns, subject.ref);
  if (!matched) {
    return no(`${subject.kind} ${subject.ref.name} does not match ${input} ${listed(patterns)}`);
  }

  const problem = testsProblem(testOutcome) ?? coverageProblem;
  if (problem) return no(problem);
  if (event.headCommitMessage.toLowerCase().includes(SKIP_MARKER)) {
    return no(`the head commit message contains ${SKIP_MARKER}`);
  }

  const because = `${subject.phrase} matched ${input} ${matched.source}`;
  if (rules.environments.length === 0) {
    return { deploy: true, environment: '', reason: `deploying: ${because}` };
  }
  const mapping = rules.environments.find((rule) => patternMatches(rule.pattern, subject.ref));
  if (!mapping) {
    // The user maps refs to environments; deploying outside that map would skip its protections.
    return no(
      `${subject.kind} ${subject.ref.name} matched ${input} ${matched.source} but no line of environments`,
    );
  }
  return {
    deploy: true,
    environment: mapping.environment,
    reason: `deploying to ${mapping.environment}: ${because}`,
  };
}
