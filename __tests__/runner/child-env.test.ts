/** childEnv: the runner's namespaces pass only on the allow-list; everything else passes. */
import { CHILD_ENV_ALLOWED, childEnv } from '../../src/runner/child-env.js';

describe('childEnv', () => {
  it('keeps allowed context and the user variables, drops the rest of the runner namespaces', () => {
    const env = childEnv({
      GITHUB_SHA: 'abc',
      GITHUB_WORKSPACE: '/w',
      RUNNER_TEMP: '/t',
      CI: 'true',
      DATABASE_URL: 'postgres://x',
      PIP_INDEX_URL: 'https://pypi.example/simple',
      PYTHONPATH: '/p',
      GITHUB_OUTPUT: '/o',
      GITHUB_ENV: '/e',
      GITHUB_PATH: '/p',
      GITHUB_STATE: '/s',
      GITHUB_STEP_SUMMARY: '/s',
      GITHUB_TOKEN: 'ghs_x',
      INPUT_TOKEN: 'ghs_x',
      STATE_SOMETHING: 'x',
      ACTIONS_RUNTIME_TOKEN: 'x',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'x',
      ACTIONS_CACHE_URL: 'x',
      RUNNER_TRACKING_ID: 'x',
      github_output: '/o',
    });
    expect(env).toEqual({
      GITHUB_SHA: 'abc',
      GITHUB_WORKSPACE: '/w',
      RUNNER_TEMP: '/t',
      CI: 'true',
      DATABASE_URL: 'postgres://x',
      PIP_INDEX_URL: 'https://pypi.example/simple',
      PYTHONPATH: '/p',
    });
  });

  it('every allowed name is in a runner namespace (else listing it would mean nothing)', () => {
    for (const name of CHILD_ENV_ALLOWED)
      expect(name).toMatch(/^(GITHUB_|RUNNER_|ACTIONS_|INPUT_|STATE_)/);
  });
});
