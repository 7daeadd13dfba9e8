import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/runner/errors.js';
import { KNOWN_EVENTS, parseGateRules } from '../../src/gate/rules.js';
import { listNames } from '../../src/runner/inputs.js';
import { repoRoot } from '../../tools/harness.js';
import { rawRules, rules } from '../support/gate-events.js';

const sources = (patterns: { source: string }[]) => patterns.map((p) => p.source);

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseGateRules', () => {
  it('reads the action.yml defaults as: main, no tags, push, no environments, nothing unsafe', () => {
    const parsed = rules();
    expect(sources(parsed.deployBranches)).toEqual(['main']);
    expect(parsed.deployTags).toEqual([]);
    expect(parsed.deployEvents).toEqual(['push']);
    expect(parsed.environments).toEqual([]);
    expect(parsed.allowForkDeploy).toBe(false);
    expect(parsed.allowUnsafeEvents).toBe(false);
  });

  it('splits lists on newlines and commas, keeping commas inside braces', () => {
    const parsed = rules({ 'deploy-branches': 'main, dev\n\n  release/{a,b}  ,\nhotfix/*' });
    expect(sources(parsed.deployBranches)).toEqual(['main', 'dev', 'release/{a,b}', 'hotfix/*']);
    expect(listNames('a,\n b')).toEqual([
      { text: 'a', line: 1 },
      { text: 'b', line: 2 },
    ]);
  });

  it('reads branch names separated by spaces as separate names, as every name list does', () => {
    expect(sources(rules({ 'deploy-branches': 'main dev' }).deployBranches)).toEqual([
      'main',
      'dev',
    ]);
  });

  it('skips # comments in every list, as every other list input does', () => {
    const parsed = rules({
      'deploy-branches': '# the trunk\nmain  # deploys to production',
      environments: '# mapping\nmain=production # the live site',
    });
    expect(sources(parsed.deployBranches)).toEqual(['main']);
    expect(parsed.environments.map((rule) => rule.environment)).toEqual(['production']);
  });

  it('reads events separated by commas, spaces or newlines, without duplicates', () => {
    expect(
      rules({ 'deploy-events': 'push, release\nworkflow_dispatch push' }).deployEvents,
    ).toEqual(['push', 'release', 'workflow_dispatch']);
  });

  it('reads environments in order, skipping blank and # comment lines', () => {
    const parsed = rules({
      environments: '# where each ref goes\ndev=development\n\n v*-rc* = staging \nmain=production',
    });
    expect(parsed.environments.map((r) => [r.pattern.source, r.environment, r.line])).toEqual([
      ['dev', 'development', 2],
      ['v*-rc*', 'staging', 4],
      ['main', 'production', 5],
    ]);
  });

  it('reads the booleans in the spellings YAML allows', () => {
    expect(rules({ 'allow-fork-deploy': 'True', 'allow-unsafe-events': 'TRUE' })).toMatchObject({
      allowForkDeploy: true,
      allowUnsafeEvents: true,
    });
  });

  it.each([
    ['deploy-branches', 'main\nfeat/[a', 'deploy-branches line 2 "feat/[a" has a "[" without'],
    ['deploy-tags', 'v[0-9', 'deploy-tags line 1 "v[0-9" has a "[" without a closing "]"'],
    ['deploy-events', 'push\npushh', 'deploy-events line 2 "pushh" is not a GitHub event name'],
    [
      'environments',
      'main=production\n\nfoo',
      'environments line 3 "foo" is not pattern=environment',
    ],
    ['environments', '=production', 'environments line 1 "=production" has no pattern before "="'],
    ['environments', 'main=', 'environments line 1 "main=" has no environment after "="'],
    ['environments', '!main=production', 'environments line 1 "!main=production" starts with "!"'],
    [
      'environments',
      'ma{in=production',
      'environments line 1 "ma{in=production" has a pattern that has a "{" without',
    ],
    ['allow-fork-deploy', 'yes', 'allow-fork-deploy must be true or false, got "yes"'],
    ['allow-unsafe-events', '1', 'allow-unsafe-events must be true or false, got "1"'],
  ] as const)(
    '%s %j fails with an InputError naming the input and line',
    (input, value, message) => {
      const error = errorOf(() => parseGateRules(rawRules({ [input]: value })));
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toContain(message);
    },
  );

  it('says how to fix a bad line', () => {
    expect(errorOf(() => rules({ environments: 'foo' })).message).toMatch(/e\.g\. main=production/);
    expect(errorOf(() => rules({ 'deploy-branches': 'a [b' })).message).toMatch(
      /e\.g\. main or release\/\*/,
    );
    expect(errorOf(() => rules({ 'deploy-events': 'pushh' })).message).toMatch(
      /e\.g\. push, release/,
    );
  });

  it("knows exactly the events of GitHub's own workflow schema", () => {
    const schemaPath = join(
      repoRoot,
      'node_modules/@actions/workflow-parser/dist/workflow-v1.0.min.json',
    );
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as {
      definitions: Record<string, { mapping?: { properties?: Record<string, unknown> } }>;
    };
    const events = Object.keys(schema.definitions['on-mapping-strict'].mapping?.properties ?? {});
    expect(events.length).toBeGreaterThan(30);
    expect([...KNOWN_EVENTS].sort()).toEqual(events.sort());
  });
});
