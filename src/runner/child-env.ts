/**
 * The environment of the programs the action runs on the user's behalf (pip, venv creation,
 * pytest and the code under test). The runner's own namespaces carry the step's file commands
 * (GITHUB_OUTPUT, GITHUB_ENV, ...), the inputs (INPUT_TOKEN) and the runtime's credentials
 * (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_*): in them only harmless context passes.
 * Everything else is the user's (`env:` such as DATABASE_URL, PATH, HOME, PIP_*, PYTHON*) and
 * passes untouched, which is why this is an allow-list per namespace, not for the whole env.
 */

/** Namespaces the runner owns. */
const RUNNER_NAMESPACE = /^(GITHUB_|RUNNER_|ACTIONS_|INPUT_|STATE_)/i;

/** Context from the runner's namespaces that tests may read: names, refs, ids, folders. */
export const CHILD_ENV_ALLOWED: readonly string[] = [
  'GITHUB_ACTIONS',
  'GITHUB_WORKSPACE',
  'GITHUB_REPOSITORY',
  'GITHUB_SHA',
  'GITHUB_REF',
  'GITHUB_REF_NAME',
  'GITHUB_REF_TYPE',
  'GITHUB_HEAD_REF',
  'GITHUB_BASE_REF',
  'GITHUB_EVENT_NAME',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_NUMBER',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_JOB',
  'GITHUB_WORKFLOW',
  'GITHUB_SERVER_URL',
  'GITHUB_API_URL',
  'GITHUB_ACTOR',
  'RUNNER_OS',
  'RUNNER_ARCH',
  'RUNNER_TEMP',
  'RUNNER_TOOL_CACHE',
  'RUNNER_DEBUG',
];

const ALLOWED = new Set(CHILD_ENV_ALLOWED);

/** `base` without the runner's variables that are not on the allow-list. */
export function childEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (RUNNER_NAMESPACE.test(name) && !ALLOWED.has(name.toUpperCase())) continue;
    env[name] = value;
  }
  return env;
}
