/**
 * The gate-only action (gate/action.yml): decide whether this run deploys, for pipelines that run
 * their tests some other way. The main action runs the same decide() after its tests.
 */
import { failStep } from '../runner/failure.js';
import { writeJobSummary } from '../runner/job-summary.js';
import { runnerInput } from '../runner/inputs.js';
import { GATE_INPUT } from '../runner/names.js';
import { refuseUnknownInputs } from '../runner/unknown-inputs.js';
import { decide } from './decide.js';
import { readRunEvent } from '../runner/event-file.js';
import { parseTestOutcome, readGateRules, TEST_OUTCOME_INPUT } from './inputs.js';
import { decisionSummaryLine, setDecisionOutputs } from './outputs.js';

export async function run(): Promise<void> {
  try {
    refuseUnknownInputs(process.env, Object.values(GATE_INPUT), 'The gate action');
    const rules = readGateRules(runnerInput);
    const outcome = parseTestOutcome(runnerInput(TEST_OUTCOME_INPUT.name));
    const decision = decide(readRunEvent(), outcome, rules);
    setDecisionOutputs(decision);
    await writeJobSummary(decisionSummaryLine(decision));
  } catch (error) {
    failStep(error);
  }
}
