/** Properties of decide() over generated events, outcomes and rules (fast-check). */
import fc from 'fast-check';
import { minimatch } from 'minimatch';
import {
  decide,
  PUBLISHING_RELEASE_ACTIONS,
  TEST_OUTCOMES,
  type TestOutcome,
} from '../../src/gate/decide.js';
import { UNSAFE_EVENTS, type RunEvent } from '../../src/runner/event.js';
import { pushTo } from '../support/gate-events.js';
import { KNOWN_EVENTS, parseGateRules, type RawGateRules } from '../../src/gate/rules.js';

const segment = fc.constantFrom(
  'main',
  'dev',
  'staging',
  'release',
  'feature',
  'v1',
  'v1.2.0',
  'x',
  'hotfix',
);
const refName = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const glob = fc.oneof(
  refName,
  fc.constantFrom('*', '**', 'release/*', 'feature/**', 'v*', '{dev,staging}', 'main'),
);
const eventName = fc.oneof(
  fc.constantFrom(
    'push',
    'pull_request',
    'pull_request_target',
    'workflow_run',
    'workflow_dispatch',
    'release',
  ),
  fc.constantFrom(...KNOWN_EVENTS),
);
const outcome = fc.constantFrom<TestOutcome>(...TEST_OUTCOMES);

const event: fc.Arbitrary<RunEvent> = fc
  .record({
    name: eventName,
    refType: fc.constantFrom<RunEvent['refType']>('branch', 'tag', 'other'),
    refName,
    headRef: fc.oneof(fc.constant(''), refName),
    isFork: fc.boolean(),
    headCommitMessage: fc.constantFrom(
      '',
      'Fix it',
      'Docs [skip deploy]',
      'WIP [SKIP DEPLOY] later',
    ),
    action: fc.constantFrom('', 'published', 'released', 'deleted', 'unpublished', 'completed'),
    runConclusion: fc.constantFrom('', 'success', 'failure', 'cancelled'),
    pullRequestComment: fc.boolean(),
  })
  .map((e) => ({
    ...e,
    ref:
      e.refType === 'branch'
        ? `refs/heads/${e.refName}`
        : e.refType === 'tag'
          ? `refs/tags/${e.refName}`
          : `refs/pull/${e.refName}`,
    baseRef: '',
  }));

const environmentLine = fc.tuple(
  glob,
  fc.constantFrom('development', 'staging', 'production', 'preview'),
);
const raw: fc.Arbitrary<RawGateRules> = fc.record({
  'deploy-branches': fc.array(glob, { maxLength: 3 }).map((g) => g.join('\n')),
  'deploy-tags': fc.array(glob, { maxLength: 2 }).map((g) => g.join(', ')),
  'deploy-events': fc.uniqueArray(eventName, { maxLength: 4 }).map((e) => e.join(', ')),
  environments: fc
    .array(environmentLine, { maxLength: 4 })
    .map((lines) => lines.map(([p, env]) => `${p}=${env}`).join('\n')),
  'allow-fork-deploy': fc.constantFrom('true', 'false'),
  'allow-unsafe-events': fc.constantFrom('true', 'false'),
});

const NUM_RUNS = { numRuns: 200 };

const DEPLOY_ANY_BRANCH: RawGateRules = {
  'deploy-branches': '**',
  'deploy-tags': '',
  'deploy-events': 'push',
  environments: '',
  'allow-fork-deploy': 'false',
  'allow-unsafe-events': 'false',
};
const pushToBranch = (branch: string): RunEvent => pushTo(branch, { headCommitMessage: '' });

/**
 * A scenario that deploys: an event the rules list, a ref they match, tests passed, no fork, no
 * marker. The "never" properties flip one thing at a time and expect the flip alone to block.
 */
const deployable: fc.Arbitrary<{ event: RunEvent; raw: RawGateRules }> = fc
  .record({
    raw,
    events: fc.uniqueArray(eventName, { minLength: 1, maxLength: 4 }),
    pick: fc.nat(),
    refType: fc.constantFrom<'branch' | 'tag'>('branch', 'tag'),
    refName,
    fallback: fc.boolean(),
  })
  .map(({ raw: r, events, pick, refType, refName: name, fallback }) => {
    const eventName = events[pick % events.length];
    const unsafe = events.some((e) => UNSAFE_EVENTS.has(e));
    return {
      raw: {
        ...r,
        'deploy-branches': `${r['deploy-branches']}\n**`,
        'deploy-tags': `${r['deploy-tags']}\n**`,
        'deploy-events': events.join(', '),
        environments: fallback ? `${r.environments}\n**=fallback` : '',
        'allow-unsafe-events': unsafe ? 'true' : r['allow-unsafe-events'],
      },
      event: {
        name: eventName,
        ref: `refs/${refType === 'branch' ? 'heads' : 'tags'}/${name}`,
        refType,
        refName: name,
        headRef: name,
        baseRef: 'main',
        isFork: false,
        headCommitMessage: 'Fix it',
        // What a release that publishes and a workflow_run behind a green run carry.
        action: 'published',
        runConclusion: 'success',
        pullRequestComment: false,
      },
    };
  })
  // Pull request events and workflow_run deploy their head branch, which is never a tag.
  .filter(
    ({ event }) =>
      event.refType === 'branch' ||
      !(event.name.startsWith('pull_request') || event.name === 'workflow_run'),
  );

function deploys(event: RunEvent, raw: RawGateRules): boolean {
  return decide(event, 'success', parseGateRules(raw)).deploy;
}

describe('decide() properties', () => {
  it('never deploys when the tests did not succeed', () => {
    fc.assert(
      fc.property(
        deployable,
        outcome.filter((o) => o !== 'success'),
        ({ event: e, raw: r }, o) => {
          expect(deploys(e, r)).toBe(true);
          expect(decide(e, o, parseGateRules(r)).deploy).toBe(false);
        },
      ),
      NUM_RUNS,
    );
    fc.assert(
      fc.property(
        event,
        raw,
        outcome.filter((o) => o !== 'success'),
        (e, r, o) => {
          expect(decide(e, o, parseGateRules(r)).deploy).toBe(false);
        },
      ),
      NUM_RUNS,
    );
  });

  it('never deploys code from a fork unless allow-fork-deploy is true', () => {
    fc.assert(
      fc.property(deployable, ({ event: e, raw: r }) => {
        expect(deploys(e, r)).toBe(true);
        expect(deploys({ ...e, isFork: true }, { ...r, 'allow-fork-deploy': 'false' })).toBe(false);
        expect(deploys({ ...e, isFork: true }, { ...r, 'allow-fork-deploy': 'true' })).toBe(true);
      }),
      NUM_RUNS,
    );
  });

  it('never deploys on an event that deploy-events does not list', () => {
    fc.assert(
      fc.property(deployable, eventName, ({ event: e, raw: r }, other) => {
        expect(deploys(e, r)).toBe(true);
        const unlisted = r['deploy-events']
          .split(', ')
          .filter((name) => name !== e.name)
          .join(', ');
        expect(deploys(e, { ...r, 'deploy-events': unlisted })).toBe(false);
        fc.pre(!r['deploy-events'].split(', ').includes(other));
        expect(deploys({ ...e, name: other }, r)).toBe(false);
      }),
      NUM_RUNS,
    );
  });

  it('never deploys on pull_request_target or workflow_run unless allow-unsafe-events is true', () => {
    fc.assert(
      fc.property(deployable, fc.constantFrom(...UNSAFE_EVENTS), ({ event: e, raw: r }, name) => {
        fc.pre(e.refType === 'branch');
        const listing = { ...r, 'deploy-events': `${r['deploy-events']}, ${name}` };
        expect(deploys({ ...e, name }, { ...listing, 'allow-unsafe-events': 'true' })).toBe(true);
        expect(deploys({ ...e, name }, { ...listing, 'allow-unsafe-events': 'false' })).toBe(false);
      }),
      NUM_RUNS,
    );
  });

  it('never deploys a release that does not publish, or a workflow_run behind a run that did not succeed', () => {
    const notPublishing = fc
      .constantFrom('', 'created', 'edited', 'deleted', 'unpublished', 'Published')
      .filter((action) => !PUBLISHING_RELEASE_ACTIONS.includes(action));
    const notSuccess = fc.constantFrom(
      '',
      'failure',
      'cancelled',
      'timed_out',
      'skipped',
      'Success',
    );
    fc.assert(
      fc.property(
        deployable,
        notPublishing,
        notSuccess,
        ({ event: e, raw: r }, action, conclusion) => {
          fc.pre(e.refType === 'branch');
          const listing = {
            ...r,
            'deploy-events': `${r['deploy-events']}, release, workflow_run`,
            'allow-unsafe-events': 'true',
          };
          expect(deploys({ ...e, name: 'release' }, listing)).toBe(true);
          expect(deploys({ ...e, name: 'release', action }, listing)).toBe(false);
          expect(deploys({ ...e, name: 'workflow_run' }, listing)).toBe(true);
          expect(deploys({ ...e, name: 'workflow_run', runConclusion: conclusion }, listing)).toBe(
            false,
          );
        },
      ),
      NUM_RUNS,
    );
  });

  it('never deploys on a comment on a pull request unless both allow-* switches are true', () => {
    fc.assert(
      fc.property(
        deployable,
        fc.constantFrom('true', 'false'),
        fc.constantFrom('true', 'false'),
        ({ event: e, raw: r }, unsafe, fork) => {
          fc.pre(e.refType === 'branch');
          const comment = { ...e, name: 'issue_comment', pullRequestComment: true, isFork: true };
          const listing = {
            ...r,
            'deploy-events': `${r['deploy-events']}, issue_comment`,
            'allow-unsafe-events': unsafe,
            'allow-fork-deploy': fork,
          };
          expect(deploys(comment, listing)).toBe(unsafe === 'true' && fork === 'true');
        },
      ),
      NUM_RUNS,
    );
  });

  it('never deploys when the head commit message says [skip deploy]', () => {
    fc.assert(
      fc.property(
        deployable,
        fc.constantFrom('[skip deploy]', '[SKIP DEPLOY]', '[Skip Deploy]'),
        ({ event: e, raw: r }, marker) => {
          expect(deploys(e, r)).toBe(true);
          expect(deploys({ ...e, headCommitMessage: `Tidy up\n\n${marker}` }, r)).toBe(false);
        },
      ),
      NUM_RUNS,
    );
  });

  it('never deploys a ref that deploy-branches or deploy-tags do not match', () => {
    fc.assert(
      fc.property(deployable, ({ event: e, raw: r }) => {
        expect(deploys(e, r)).toBe(true);
        expect(deploys(e, { ...r, 'deploy-branches': '', 'deploy-tags': '' })).toBe(false);
      }),
      NUM_RUNS,
    );
  });

  it('gives the same answer for the same input, and one plain sentence', () => {
    fc.assert(
      fc.property(event, raw, outcome, (e, r, o) => {
        const first = decide(e, o, parseGateRules(r));
        const again = decide({ ...e }, o, parseGateRules({ ...r }));
        expect(again).toEqual(first);
        expect(first.reason).toMatch(
          first.deploy ? /^deploying( to [^:]+)?: \S/ : /^not deploying: \S/,
        );
        expect(first.reason).not.toMatch(/\n/);
        if (!first.deploy) expect(first.environment).toBe('');
        if (first.deploy) expect(o).toBe('success');
      }),
      NUM_RUNS,
    );
  });

  it('maps to the environment of the first environments line that matches', () => {
    const lines = fc.array(environmentLine, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(refName, lines, (branch, envLines) => {
        const environments = envLines.map(([pattern, env]) => `${pattern}=${env}`).join('\n');
        const rules = parseGateRules({ ...DEPLOY_ANY_BRANCH, environments });
        const decision = decide(pushToBranch(branch), 'success', rules);
        // Independent oracle: minimatch itself, line by line.
        const first = envLines.find(([pattern]) => minimatch(branch, pattern, { dot: true }));
        expect(decision.deploy).toBe(first !== undefined);
        expect(decision.environment).toBe(first?.[1] ?? '');
      }),
      NUM_RUNS,
    );
  });

  it('a catch-all line first takes every deploy; a catch-all line last changes no mapped one', () => {
    fc.assert(
      fc.property(event, raw, (e, r) => {
        const plain = decide(e, 'success', parseGateRules(r));
        const first = decide(
          e,
          'success',
          parseGateRules({ ...r, environments: `**=catch-all\n${r.environments}` }),
        );
        const last = decide(
          e,
          'success',
          parseGateRules({ ...r, environments: `${r.environments}\n**=catch-all` }),
        );
        if (first.deploy) expect(first.environment).toBe('catch-all');
        if (plain.deploy && plain.environment !== '') expect(last).toEqual(plain);
        // Adding a mapping never turns a "no" into a "yes" for any other reason than the mapping.
        if (
          !plain.deploy &&
          !plain.reason.includes('no line of environments') &&
          r.environments !== ''
        ) {
          expect(last.deploy).toBe(false);
        }
      }),
      NUM_RUNS,
    );
  });
});
