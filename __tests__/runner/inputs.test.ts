/** The one grammar of list inputs (src/runner/inputs.ts), for every list input alike. */
import { listLines, listNames, parseLines, parseNames } from '../../src/runner/inputs.js';

describe('list inputs', () => {
  it('take one entry per line, skip blank lines and # comments, and keep line numbers', () => {
    expect(listLines('a.txt\n\n# a comment\n  b c.txt   # why b\nd#frag\r\n')).toEqual([
      { text: 'a.txt', line: 1 },
      { text: 'b c.txt', line: 4 },
      { text: 'd#frag', line: 5 },
    ]);
  });

  it('keep a URL fragment, which has no space before its #', () => {
    expect(parseLines('pkg @ https://example.test/p.zip#egg=pkg')).toEqual([
      'pkg @ https://example.test/p.zip#egg=pkg',
    ]);
  });

  it('split name lists on commas and spaces too, but not inside braces', () => {
    expect(listNames('main, dev\n# not a branch\nrelease/{a, b} hotfix/*  # urgent')).toEqual([
      { text: 'main', line: 1 },
      { text: 'dev', line: 1 },
      { text: 'release/{a, b}', line: 3 },
      { text: 'hotfix/*', line: 3 },
    ]);
    expect(parseNames('test,lint  docs\n')).toEqual(['test', 'lint', 'docs']);
  });

  it('give nothing for an empty or comment-only input', () => {
    expect(parseLines('')).toEqual([]);
    expect(parseNames('  \n# only a comment\n')).toEqual([]);
  });
});
