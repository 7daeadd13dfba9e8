/** Hands a Decision to the runner: step outputs, a log line, and a job summary line. */
import * as core from '@actions/core';
import { setDeployOutputs } from '../runner/deploy-outputs.js';
import type { Decision } from './decision.js';

/** The one summary line for a decision, as Markdown; refs are escaped (branch names are free text). */
export function decisionSummaryLine(decision: Decision): string {
  const icon = decision.deploy ? '🚀' : '⏸️';
  return `${icon} **Deploy gate**: ${escapeMarkdown(decision.reason)}`;
}

function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1');
}

export function setDecisionOutputs(decision: Decision): void {
  setDeployOutputs(decision.deploy, decision.environment, decision.reason);
  core.info(decision.reason);
}
