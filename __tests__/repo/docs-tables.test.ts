/** README and docs tables of inputs/outputs are generated from action.yml; they must be current. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../tools/harness.js';

it('README inputs and outputs tables match action.yml (run `npm run docs`)', () => {
  expect(() =>
    execFileSync('node', ['scripts/docs.mjs', '--check'], { cwd: repoRoot, stdio: 'pipe' }),
  ).not.toThrow();
  const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8'));
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  }
});
