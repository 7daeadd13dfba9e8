/**
 * The three outputs that tell later jobs whether to deploy. Written by the gate with its decision
 * and by the failure path (a failed step never deploys), so they are written here, once.
 */
import * as core from '@actions/core';
import { DEPLOY_OUTPUT } from './names.js';

export function setDeployOutputs(deploy: boolean, environment: string, reason: string): void {
  core.setOutput(DEPLOY_OUTPUT.deploy, deploy ? 'true' : 'false');
  core.setOutput(DEPLOY_OUTPUT.environment, environment);
  core.setOutput(DEPLOY_OUTPUT.deployReason, reason);
}
