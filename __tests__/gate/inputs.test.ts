import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../../src/runner/errors.js';
import {
  GATE_RULE_INPUTS,
  parseTestOutcome,
  readGateRules,
  TEST_OUTCOME_INPUT,
} from '../../src/gate/inputs.js';
import { repoRoot } from '../../tools/harness.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}
const readAction = (path: string) => parse(readFileSync(join(repoRoot, path), 'utf8')) as ActionYml;

describe('readGateRules', () => {
  it('asks the getter for every rule input by its action.yml name', () => {
    const asked: string[] = [];
    const parsed = readGateRules((name) => {
      asked.push(name);
      const given: Record<string, string> = {
        'deploy-branches': 'dev',
        'deploy-events': 'push',
        environments: 'dev=development',
      };
      return given[name] ?? '';
    });
    expect(asked.sort()).toEqual(GATE_RULE_INPUTS.map((i) => i.name).sort());
    expect(parsed.deployBranches.map((p) => p.source)).toEqual(['dev']);
    expect(parsed.environments[0].environment).toBe('development');
  });

  it('treats an empty branch list as "no branch deploys" (fail safe), not as the default', () => {
    expect(readGateRules(() => '').deployBranches).toEqual([]);
    expect(readGateRules(() => '').deployEvents).toEqual([]);
  });
});

describe('parseTestOutcome', () => {
  it.each(['success', 'failure', 'skipped', 'cancelled'])('accepts %s', (outcome) => {
    expect(parseTestOutcome(` ${outcome} `)).toBe(outcome);
  });

  it.each([
    ['passed', 'test-outcome "passed" is not one of success, failure, skipped, cancelled'],
    ['', 'test-outcome is empty'],
  ])('refuses %j (an expression that went wrong must not deploy)', (value, message) => {
    expect(() => parseTestOutcome(value)).toThrow(InputError);
    expect(() => parseTestOutcome(value)).toThrow(message);
  });
});

describe('gate/action.yml', () => {
  const gate = readAction('gate/action.yml');

  it('declares every gate input with the default and description of src/gate/inputs.ts', () => {
    for (const spec of [...GATE_RULE_INPUTS, TEST_OUTCOME_INPUT]) {
      expect(gate.inputs[spec.name]).toEqual({
        description: spec.description,
        required: false,
        default: spec.default,
      });
    }
    expect(Object.keys(gate.inputs).sort()).toEqual(
      [...GATE_RULE_INPUTS.map((i) => i.name), 'test-outcome'].sort(),
    );
  });

  it('declares the outputs deploy, environment and deploy-reason, and runs the gate bundle on node24', () => {
    expect(Object.keys(gate.outputs).sort()).toEqual(['deploy', 'deploy-reason', 'environment']);
    expect(parse(readFileSync(join(repoRoot, 'gate/action.yml'), 'utf8')).runs).toEqual({
      using: 'node24',
      main: '../dist/gate/index.js',
    });
  });

  it('the main action.yml declares the same gate inputs and outputs (it runs the same gate)', () => {
    const main = readAction('action.yml');
    for (const spec of GATE_RULE_INPUTS) {
      expect({ name: spec.name, ...main.inputs[spec.name] }).toMatchObject({
        name: spec.name,
        description: spec.description,
        default: spec.default,
      });
    }
    for (const output of ['deploy', 'environment', 'deploy-reason'])
      expect(main.outputs).toHaveProperty(output);
  });
});

describe('docs/gate.md', () => {
  const docs = readFileSync(join(repoRoot, 'docs/gate.md'), 'utf8');

  it('documents every gate input with its default, and every output', () => {
    for (const spec of [...GATE_RULE_INPUTS, TEST_OUTCOME_INPUT]) {
      const shown = spec.default === '' ? 'default empty' : `default \`${spec.default}\``;
      const heading = `### \`${spec.name}\` (${spec.name === 'test-outcome' ? 'gate action only, ' : ''}${shown})`;
      expect(docs).toContain(heading);
    }
    for (const output of Object.keys(readAction('gate/action.yml').outputs))
      expect(docs).toMatch(new RegExp(`^\\| \`${output}\` +\\|`, 'm'));
  });
});
