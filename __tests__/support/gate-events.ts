/** Builders shared by the gate tests: rules from raw input text, events from a few fields. */
import type { RunEvent } from '../../src/runner/event.js';
import { GATE_RULE_INPUTS } from '../../src/gate/inputs.js';
import { parseGateRules, type GateRules, type RawGateRules } from '../../src/gate/rules.js';

/** The rule inputs as the runner would pass them: action.yml defaults, then the overrides. */
export function rawRules(overrides: Partial<RawGateRules> = {}): RawGateRules {
  const raw = {} as RawGateRules;
  for (const input of GATE_RULE_INPUTS) raw[input.name] = input.default;
  return { ...raw, ...overrides };
}

export function rules(overrides: Partial<RawGateRules> = {}): GateRules {
  return parseGateRules(rawRules(overrides));
}

export function pushTo(branch: string, extra: Partial<RunEvent> = {}): RunEvent {
  return {
    name: 'push',
    ref: `refs/heads/${branch}`,
    refType: 'branch',
    refName: branch,
    headRef: '',
    baseRef: '',
    isFork: false,
    headCommitMessage: 'Fix the thing',
    action: '',
    runConclusion: '',
    pullRequestComment: false,
    ...extra,
  };
}

export function pushTag(tag: string, extra: Partial<RunEvent> = {}): RunEvent {
  return pushTo('', { ref: `refs/tags/${tag}`, refType: 'tag', refName: tag, ...extra });
}

export function pullRequest(head: string, base = 'main', extra: Partial<RunEvent> = {}): RunEvent {
  return {
    name: 'pull_request',
    ref: 'refs/pull/7/merge',
    refType: 'other',
    refName: '7/merge',
    headRef: head,
    baseRef: base,
    isFork: false,
    headCommitMessage: '',
    action: 'opened',
    runConclusion: '',
    pullRequestComment: false,
    ...extra,
  };
}
