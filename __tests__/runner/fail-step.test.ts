/** failStep, the one failure path of both entries, with @actions/core recorded by the fixture. */
import { jest } from '@jest/globals';
import { mockActionsCore, type CoreCalls } from '../support/core-fixture.js';

const NO_DEPLOY = {
  deploy: 'false',
  environment: '',
  'deploy-reason': 'not deploying: the step failed; see its error',
};

let core: CoreCalls;
let failStep: (error: unknown) => void;
// Imported after the reset too: failStep tells input errors apart with instanceof.
let InputError: typeof import('../../src/runner/errors.js').InputError;
let SetupError: typeof import('../../src/runner/errors.js').SetupError;

beforeEach(async () => {
  // failStep remembers that it reported: a fresh module for each test, as for each step.
  await jest.isolateModulesAsync(async () => {
    core = await mockActionsCore();
    ({ failStep } = await import('../../src/runner/failure.js'));
    ({ InputError, SetupError } = await import('../../src/runner/errors.js'));
  });
});

describe('failStep', () => {
  it('fails with the message of an input error, and never deploys', () => {
    failStep(new InputError('first problem.'));
    expect(core.failed).toEqual(['first problem.']);
    expect(core.outputs).toEqual(NO_DEPLOY);
  });

  it('prints one error per step; a second failure goes to the debug log', () => {
    failStep(new InputError('first problem.'));
    failStep('second problem');
    expect(core.failed).toEqual(['first problem.']);
    expect(core.debug).toContain('Also failed: second problem');
    expect(core.outputs).toEqual(NO_DEPLOY);
  });

  it('prints a setup failure (the machine or a service, not the input) as it is: no "Unexpected error", no stack', () => {
    failStep(
      new SetupError(
        'Could not install Python 3.12.1 from https://example.test/a.tar.gz: it may be truncated.',
      ),
    );
    expect(core.failed).toEqual([
      'Could not install Python 3.12.1 from https://example.test/a.tar.gz: it may be truncated.',
    ]);
    expect(core.debug).toEqual([]);
    expect(core.outputs).toEqual(NO_DEPLOY);
  });

  it('keeps the stack of an unexpected error for the debug log only', () => {
    failStep(new TypeError('x is undefined'));
    expect(core.failed).toEqual([
      'Unexpected error: x is undefined. Re-run with step debug logging for details, and report it if it persists.',
    ]);
    expect(core.debug.join('\n')).toMatch(/TypeError: x is undefined\n\s+at /);
    expect(core.failed.join('\n')).not.toMatch(/\n\s+at /);
  });
});
