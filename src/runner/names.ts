/**
 * The names of every input and output, the one place they are spelt: code reads and writes them
 * through these constants (a misspelt name does not compile), and a test checks them against
 * both action.yml files. Which input means what is config.ts's business; this is only the list.
 */

/** Inputs of the deploy rules: the gate action and the main action both declare them. */
export const GATE_RULE_INPUT = {
  deployBranches: 'deploy-branches',
  deployTags: 'deploy-tags',
  deployEvents: 'deploy-events',
  environments: 'environments',
  allowForkDeploy: 'allow-fork-deploy',
  allowUnsafeEvents: 'allow-unsafe-events',
} as const;

/** Every input of the main action (action.yml). */
export const INPUT = {
  pythonVersion: 'python-version',
  pythonVersionFile: 'python-version-file',
  architecture: 'architecture',
  allowPrereleases: 'allow-prereleases',
  pythonSource: 'python-source',
  manifestUrl: 'manifest-url',
  token: 'token',
  checkLatest: 'check-latest',
  workingDirectory: 'working-directory',
  venvPath: 'venv-path',
  requirements: 'requirements',
  installProject: 'install-project',
  editable: 'editable',
  extras: 'extras',
  dependencyGroups: 'dependency-groups',
  packages: 'packages',
  pipArgs: 'pip-args',
  cache: 'cache',
  cacheDir: 'cache-dir',
  cacheDependencyPath: 'cache-dependency-path',
  cacheKeySuffix: 'cache-key-suffix',
  cacheTimeout: 'cache-timeout',
  cacheLocalSecret: 'cache-local-secret',
  cacheLocalMaxSize: 'cache-local-max-size',
  cacheSave: 'cache-save',
  cacheMaxSize: 'cache-max-size',
  pytestArgs: 'pytest-args',
  timeoutMinutes: 'timeout-minutes',
  allowNoTests: 'allow-no-tests',
  shard: 'shard',
  shardTimings: 'shard-timings',
  junitFiles: 'junit-files',
  coverage: 'coverage',
  coverageThreshold: 'coverage-threshold',
  coverageFiles: 'coverage-files',
  reruns: 'reruns',
  failOnFlaky: 'fail-on-flaky',
  annotations: 'annotations',
  comment: 'comment',
  ...GATE_RULE_INPUT,
} as const;

/** Every input of the gate action (gate/action.yml). */
export const GATE_INPUT = { testOutcome: 'test-outcome', ...GATE_RULE_INPUT } as const;

export type InputName =
  (typeof INPUT)[keyof typeof INPUT] | (typeof GATE_INPUT)[keyof typeof GATE_INPUT];

/** The decision outputs, which both actions set. */
export const DEPLOY_OUTPUT = {
  deploy: 'deploy',
  environment: 'environment',
  deployReason: 'deploy-reason',
} as const;

/** Every output of the main action (action.yml). */
export const OUTPUT = {
  pythonVersion: 'python-version',
  pythonPath: 'python-path',
  pythonSource: 'python-source',
  venvPath: 'venv-path',
  cacheHit: 'cache-hit',
  cacheKey: 'cache-key',
  tests: 'tests',
  passed: 'passed',
  failed: 'failed',
  errors: 'errors',
  skipped: 'skipped',
  durationSeconds: 'duration-seconds',
  junitPath: 'junit-path',
  coverage: 'coverage',
  coverageChanged: 'coverage-changed',
  coverageFile: 'coverage-file',
  flaky: 'flaky',
  ...DEPLOY_OUTPUT,
} as const;

export type OutputName = (typeof OUTPUT)[keyof typeof OUTPUT];
