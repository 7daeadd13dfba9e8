/**
 * The gate's inputs: their names, defaults and descriptions (the one list both action.yml files
 * must agree with; a test checks), and the reader that turns them into GateRules. Used by the
 * gate action and by the main action's config.
 */
import type { InputGetter } from '../runner/inputs.js';
import { InputError } from '../runner/errors.js';
import { GATE_INPUT } from '../runner/names.js';
import { TEST_OUTCOMES, type TestOutcome } from './decide.js';
import { parseGateRules, type GateRules, type RawGateRules } from './rules.js';

export interface GateInputSpec {
  name: keyof RawGateRules;
  default: string;
  description: string;
}

export const GATE_RULE_INPUTS: readonly GateInputSpec[] = [
  {
    name: 'deploy-branches',
    default: 'main',
    description:
      'Branches that deploy: globs, one per line or comma separated (`*` stops at `/`, `**` does not, `!glob` excludes). Empty: no branch deploys.',
  },
  {
    name: 'deploy-tags',
    default: '',
    description:
      'Tags that deploy: globs like `v*`, one per line or comma separated. Empty: no tag deploys.',
  },
  {
    name: 'deploy-events',
    default: 'push',
    description:
      'Events that may deploy, e.g. `push, release, workflow_dispatch`. Any other event never deploys.',
  },
  {
    name: 'environments',
    default: '',
    description:
      'Branch or tag to environment, one `pattern=environment` per line (e.g. `main=production`, `v*=production`); the first matching line wins. When set, a ref that matches no line does not deploy. Empty: deploy without an environment name.',
  },
  {
    name: 'allow-fork-deploy',
    default: 'false',
    description:
      'Deploy code that comes from a fork (a pull request from another repository). Keep false unless you know why.',
  },
  {
    name: 'allow-unsafe-events',
    default: 'false',
    description:
      "Deploy on `pull_request_target`, `workflow_run` and `issue_comment` on a pull request, which run with this repository's secrets on code from elsewhere. Keep false unless you know why.",
  },
];

export const TEST_OUTCOME_INPUT: {
  name: typeof GATE_INPUT.testOutcome;
  default: TestOutcome;
  description: string;
} = {
  name: GATE_INPUT.testOutcome,
  default: 'success',
  description:
    'Outcome of the tests that ran before the gate: success, failure, skipped or cancelled (e.g. the value of needs.test.result). Only success deploys.',
};

/** Reads and validates the rule inputs; throws InputError naming the input and line. */
export function readGateRules(getInput: InputGetter): GateRules {
  const raw = {} as RawGateRules;
  for (const input of GATE_RULE_INPUTS) raw[input.name] = getInput(input.name);
  return parseGateRules(raw);
}

/**
 * The runner applies the `success` default when the input is not given, so an empty value means an
 * expression evaluated to nothing (a misspelt job name, say): refuse it rather than deploy.
 */
export function parseTestOutcome(value: string): TestOutcome {
  const outcome = value.trim();
  if ((TEST_OUTCOMES as readonly string[]).includes(outcome)) return outcome as TestOutcome;
  const shown =
    outcome === '' ? 'is empty' : `"${outcome}" is not one of ${TEST_OUTCOMES.join(', ')}`;
  throw new InputError(
    `test-outcome ${shown}. Pass the result of your test job or step, e.g. \${{ needs.test.result }} or \${{ steps.tests.outcome }}, or leave the input out to mean success.`,
  );
}
