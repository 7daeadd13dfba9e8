import { InputError } from '../../src/runner/errors.js';
import {
  closestName,
  editDistance,
  findUnknownInputs,
  inputVariable,
  refuseUnknownInputs,
} from '../../src/runner/unknown-inputs.js';

const declared = ['python-version', 'pytest-args', 'allow-no-tests', 'cache', 'deploy-branches'];

describe('unknown inputs', () => {
  it('names the variable the runner sets for an input', () => {
    expect(inputVariable('pytest-args')).toBe('INPUT_PYTEST-ARGS');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });

  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['kitten', 'sitting', 3],
    ['cache', 'cach', 1],
  ])('edit distance of %j and %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it.each([
    ['pytest_args', 'pytest-args'],
    ['PYTEST_ARGS', 'pytest-args'],
    ['python_versions', 'python-version'],
    ['allow-no-test', 'allow-no-tests'],
    ['deploy_branch', 'deploy-branches'],
    ['caches', 'cache'],
  ])('suggests the declared name closest to %j', (given, expected) => {
    expect(closestName(given, declared)).toBe(expected);
  });

  it('suggests nothing for a name unlike every declared one', () => {
    expect(closestName('kubernetes-namespace', declared)).toBeUndefined();
  });

  it('finds INPUT_ variables that match no declared input, and only those', () => {
    const env = {
      'INPUT_PYTHON-VERSION': '3.12',
      INPUT_PYTEST_ARGS: '-x',
      INPUT_CACHE: 'venv',
      INPUT_KUBERNETES: 'x',
      PATH: '/usr/bin',
    };
    expect(findUnknownInputs(env, declared)).toEqual([
      { given: 'kubernetes' },
      { given: 'pytest_args', suggestion: 'pytest-args' },
    ]);
  });

  it('throws one error naming every unknown input and the likely intended one', () => {
    const env = { INPUT_PYTEST_ARGS: '-x', INPUT_KUBERNETES: 'x' };
    expect(() => refuseUnknownInputs(env, declared, 'This action')).toThrow(InputError);
    expect(() => refuseUnknownInputs(env, declared, 'This action')).toThrow(
      /^Unknown inputs "kubernetes", "pytest_args" \(did you mean pytest-args\?\): This action has no inputs of these names/,
    );
    expect(() => refuseUnknownInputs({ 'INPUT_PYTEST-ARGS': '' }, declared, 'x')).not.toThrow();
  });
});
