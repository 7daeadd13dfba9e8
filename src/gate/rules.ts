/**
 * The deploy rules, parsed from the raw input strings into a typed GateRules. Pure: no process,
 * no files. Every error names the input, the line, what is wrong and how to fix it.
 */
import { InputError } from '../runner/errors.js';
import { listLines, listNames, parseBoolean } from '../runner/inputs.js';
import { compileRefPattern, globProblem, type RefPattern } from './glob.js';

export interface EnvironmentRule {
  pattern: RefPattern;
  environment: string;
  /** Line of the `environments` input it came from (1-based), for reasons and errors. */
  line: number;
}

export interface GateRules {
  deployBranches: RefPattern[];
  deployTags: RefPattern[];
  deployEvents: string[];
  /** In input order: the first rule whose pattern matches gives the environment. */
  environments: EnvironmentRule[];
  allowForkDeploy: boolean;
  /** Deploy on pull_request_target and workflow_run, which run trusted code on untrusted refs. */
  allowUnsafeEvents: boolean;
}

/** The gate's rule inputs exactly as the runner hands them over (defaults already applied). */
export interface RawGateRules {
  'deploy-branches': string;
  'deploy-tags': string;
  'deploy-events': string;
  environments: string;
  'allow-fork-deploy': string;
  'allow-unsafe-events': string;
}

/**
 * Events that can start a workflow (the `on:` keys of GitHub's workflow schema; a unit test keeps
 * this list equal to the schema's). A typo in `deploy-events` would otherwise never deploy, silently.
 */
export const KNOWN_EVENTS: readonly string[] = [
  'branch_protection_rule',
  'check_run',
  'check_suite',
  'create',
  'delete',
  'deployment',
  'deployment_status',
  'discussion',
  'discussion_comment',
  'fork',
  'gollum',
  'image_version',
  'issue_comment',
  'issues',
  'label',
  'merge_group',
  'milestone',
  'page_build',
  'project',
  'project_card',
  'project_column',
  'public',
  'pull_request',
  'pull_request_comment',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_target',
  'push',
  'registry_package',
  'release',
  'repository_dispatch',
  'schedule',
  'status',
  'watch',
  'workflow_call',
  'workflow_dispatch',
  'workflow_run',
];

function parsePatterns(input: keyof RawGateRules, value: string): RefPattern[] {
  return listNames(value).map(({ text, line }) => {
    const problem = globProblem(text);
    if (problem) {
      throw new InputError(
        `${input} line ${line} "${text}" ${problem}. Write one glob per line or comma, e.g. main or release/*.`,
      );
    }
    return compileRefPattern(text);
  });
}

function parseEvents(value: string): string[] {
  const events: string[] = [];
  for (const { line, text: name } of listNames(value)) {
    if (!KNOWN_EVENTS.includes(name)) {
      throw new InputError(
        `deploy-events line ${line} "${name}" is not a GitHub event name. Use names from the workflow's on: list, e.g. push, release or workflow_dispatch.`,
      );
    }
    if (!events.includes(name)) events.push(name);
  }
  return events;
}

/** Longest environment name GitHub accepts. */
const MAX_ENVIRONMENT_LENGTH = 255;

function parseEnvironments(value: string): EnvironmentRule[] {
  const rules: EnvironmentRule[] = [];
  for (const { text, line } of listLines(value)) {
    const fail = (problem: string): never => {
      throw new InputError(
        `environments line ${line} "${text}" ${problem}. Write one pattern=environment per line, e.g. main=production or v*=production.`,
      );
    };
    const at = text.indexOf('=');
    if (at < 0) fail('is not pattern=environment');
    const pattern = text.slice(0, at).trim();
    const environment = text.slice(at + 1).trim();
    if (pattern === '') fail('has no pattern before "="');
    if (environment === '') fail('has no environment after "="');
    if (pattern.startsWith('!'))
      fail(
        'starts with "!"; environments are matched in order, first match wins, so list the specific patterns first instead',
      );
    if (environment.length > MAX_ENVIRONMENT_LENGTH)
      fail(`names an environment longer than ${MAX_ENVIRONMENT_LENGTH} characters`);
    if (/\p{Cc}/u.test(environment)) fail('names an environment with a control character');
    const problem = globProblem(pattern);
    if (problem) fail(`has a pattern that ${problem}`);
    rules.push({ pattern: compileRefPattern(pattern), environment, line });
  }
  return rules;
}

export function parseGateRules(raw: RawGateRules): GateRules {
  return {
    deployBranches: parsePatterns('deploy-branches', raw['deploy-branches']),
    deployTags: parsePatterns('deploy-tags', raw['deploy-tags']),
    deployEvents: parseEvents(raw['deploy-events']),
    environments: parseEnvironments(raw.environments),
    allowForkDeploy: parseBoolean('allow-fork-deploy', raw['allow-fork-deploy'].trim(), false),
    allowUnsafeEvents: parseBoolean(
      'allow-unsafe-events',
      raw['allow-unsafe-events'].trim(),
      false,
    ),
  };
}
