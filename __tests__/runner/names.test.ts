/** The names in src/runner/names.ts are exactly the ones both action.yml files declare. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATE_INPUT, INPUT, OUTPUT, DEPLOY_OUTPUT } from '../../src/runner/names.js';
import { repoRoot } from '../../tools/harness.js';

interface ActionYml {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
const declared = (path: string) => parse(readFileSync(join(repoRoot, path), 'utf8')) as ActionYml;
const sorted = (names: Iterable<string>) => [...names].sort();

describe('input and output names', () => {
  it.each([
    ['action.yml', INPUT, OUTPUT],
    ['gate/action.yml', GATE_INPUT, DEPLOY_OUTPUT],
  ])('%s declares exactly the inputs and outputs names.ts lists', (file, inputs, outputs) => {
    const action = declared(file);
    expect(sorted(Object.keys(action.inputs))).toEqual(sorted(Object.values(inputs)));
    expect(sorted(Object.keys(action.outputs))).toEqual(sorted(Object.values(outputs)));
  });

  it('spells no name twice', () => {
    for (const names of [INPUT, GATE_INPUT, OUTPUT]) {
      const values = Object.values(names);
      expect(new Set(values).size).toBe(values.length);
    }
  });
});
