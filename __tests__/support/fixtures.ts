/** Copies a fixture project into a fresh workspace so runs never write into the repository. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../tools/harness.js';

export function workspaceFrom(fixture: string): string {
  const workspace = mkdtempSync(join(tmpdir(), `pyci-ws-${fixture.replace(/\W/g, '-')}-`));
  cpSync(join(repoRoot, '__tests__/fixtures/projects', fixture), workspace, { recursive: true });
  return workspace;
}
