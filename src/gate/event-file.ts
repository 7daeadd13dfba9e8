/** Edge: reads the triggering event from the runner's environment and payload file. */
import { readFileSync } from 'node:fs';
import { InputError } from '../runner/errors.js';
import { buildGateEvent, type GateEvent } from './event.js';

export function readGateEvent(env: NodeJS.ProcessEnv = process.env): GateEvent {
  const path = env.GITHUB_EVENT_PATH ?? '';
  // No payload means no fork flag; buildGateEvent then treats pull requests as forks.
  let payload: unknown = {};
  if (path !== '') {
    try {
      payload = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new InputError(
        `GITHUB_EVENT_PATH ${path} cannot be read as JSON (${(error as Error).message}). The runner writes this file; run the gate inside a GitHub Actions job.`,
      );
    }
  }
  return buildGateEvent(env, payload);
}
