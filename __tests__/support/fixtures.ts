/** Copies a fixture project into a fresh workspace so runs never write into the repository. */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, repoRoot } from '../../tools/harness.js';

export function workspaceFrom(fixture: string): string {
  // Removed with the harness's run folders once the test file is done.
  const workspace = makeTempDir(`pyci-ws-${fixture.replace(/\W/g, '-')}-`);
  cpSync(join(repoRoot, '__tests__/fixtures/projects', fixture), workspace, { recursive: true });
  return workspace;
}
