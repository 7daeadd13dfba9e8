import { compileRefPattern, globProblem, matchRefPatterns } from '../../src/gate/glob.js';

const branch = (name: string) => ({ name, fullRef: `refs/heads/${name}` });
const tag = (name: string) => ({ name, fullRef: `refs/tags/${name}` });
const compile = (...globs: string[]) => globs.map(compileRefPattern);

describe('ref patterns follow GitHub filter semantics', () => {
  it.each([
    ['main', 'main', true],
    ['main', 'main2', false],
    ['release/*', 'release/1.0', true],
    ['release/*', 'release/1.0/hotfix', false],
    ['release/**', 'release/1.0/hotfix', true],
    ['*', 'feature/x', false],
    ['**', 'feature/x', true],
    ['v[0-9]*', 'v1', true],
    ['{dev,staging}', 'staging', true],
    ['{dev,staging}', 'prod', false],
    ['.hidden', '.hidden', true],
    ['*', '.hidden', true],
  ])('%s against %s: %s', (glob, name, expected) => {
    expect(matchRefPatterns(compile(glob), branch(name)) !== undefined).toBe(expected);
  });

  it('matches the full ref when the pattern starts with refs/', () => {
    expect(matchRefPatterns(compile('refs/tags/v*'), tag('v1'))?.source).toBe('refs/tags/v*');
    expect(matchRefPatterns(compile('refs/tags/v*'), branch('v1'))).toBeUndefined();
  });

  it('lets the last matching pattern decide, so !glob excludes what came before', () => {
    const patterns = compile('release/**', '!release/old/**');
    expect(matchRefPatterns(patterns, branch('release/new/1'))?.source).toBe('release/**');
    expect(matchRefPatterns(patterns, branch('release/old/1'))).toBeUndefined();
    // Order matters: a later positive pattern includes again.
    expect(
      matchRefPatterns(compile('!release/old/**', 'release/**'), branch('release/old/1'))?.source,
    ).toBe('release/**');
  });

  it('reports the positive pattern that let the ref in', () => {
    expect(matchRefPatterns(compile('dev', 'ma*', 'main'), branch('main'))?.source).toBe('main');
  });
});

describe('globProblem', () => {
  it.each([
    ['main', undefined],
    ['release/**', undefined],
    ['!old', undefined],
    ['fix(ui)', undefined],
    ['', 'is empty'],
    ['!', 'is empty'],
    ['feat ure', 'contains whitespace, which git does not allow in a branch or tag name'],
    ['a~b', 'contains "~", which git does not allow in a branch or tag name'],
    ['a:b', 'contains ":", which git does not allow in a branch or tag name'],
    ['a\\b', 'contains "\\\\", which git does not allow in a branch or tag name'],
    ['/main', 'starts or ends with "/"'],
    ['release/', 'starts or ends with "/"'],
    ['v[0-9', 'has a "[" without a closing "]"'],
    ['{dev,main', 'has a "{" without a closing "}"'],
    ['dev}', 'has a "}" that closes nothing'],
    ['@(a|b', 'has a "(" without a closing ")"'],
    ['[a}', 'has a "}" that closes nothing'],
  ])('%j -> %s', (glob, problem) => {
    expect(globProblem(glob)).toBe(problem);
  });
});
