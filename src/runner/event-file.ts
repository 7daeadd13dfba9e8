/** Edge: reads the triggering event from the runner's environment and payload file. */
import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';
import { buildRunEvent, type RunEvent } from './event.js';

export function readRunEvent(env: NodeJS.ProcessEnv = process.env): RunEvent {
  const path = env.GITHUB_EVENT_PATH ?? '';
  // No payload means no fork flag; buildRunEvent then treats pull requests as forks.
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
  return buildRunEvent(env, payload);
}
