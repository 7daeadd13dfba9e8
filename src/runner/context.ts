/** The run's own coordinates from the runner's GITHUB_* variables (empty when not set). */
export interface RunContext {
  /** GITHUB_SERVER_URL, e.g. https://github.com. */
  serverUrl: string;
  /** GITHUB_API_URL, e.g. https://api.github.com. */
  apiUrl: string;
  /** GITHUB_REPOSITORY, owner/name. */
  repository: string;
  /** GITHUB_SHA. */
  sha: string;
  /** GITHUB_RUN_ID. */
  runId: string;
  /** GITHUB_WORKFLOW: the workflow's name. */
  workflow: string;
  /** GITHUB_JOB: the job's id. */
  job: string;
}

export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  return {
    serverUrl: env.GITHUB_SERVER_URL ?? '',
    apiUrl: env.GITHUB_API_URL ?? '',
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
  };
}

/** The address of the run's page, or '' when the variables are missing. */
export function runUrl(context: RunContext): string {
  const { serverUrl, repository, runId } = context;
  return serverUrl && repository && runId
    ? `${serverUrl.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`
    : '';
}
