/**
 * The three outputs that tell later jobs whether to deploy. Written by the gate with its decision
 * and by the failure path (a failed step never deploys), so their names live here, once.
 */
import * as core from '@actions/core';

export function setDeployOutputs(deploy: boolean, environment: string, reason: string): void {
  core.setOutput('deploy', deploy ? 'true' : 'false');
  core.setOutput('environment', environment);
  core.setOutput('deploy-reason', reason);
}
