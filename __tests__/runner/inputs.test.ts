/** The one grammar of list inputs (src/runner/inputs.ts), for every list input alike. */
import {
  listLines,
  listNames,
  parseLines,
  parseNames,
  parseSize,
} from '../../src/runner/inputs.js';

describe('size inputs', () => {
  it('take bytes or K/M/G/T (powers of 1024) with or without B or iB, any case', () => {
    expect(parseSize('s', '1048576')).toBe(1048576);
    expect(parseSize('s', '800k')).toBe(800 * 1024);
    expect(parseSize('s', '500M')).toBe(500 * 1024 ** 2);
    expect(parseSize('s', '1.5GB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('s', '10GiB')).toBe(10 * 1024 ** 3);
    expect(parseSize('s', '2 t')).toBe(2 * 1024 ** 4);
    expect(parseSize('s', '0')).toBe(0);
    expect(parseSize('s', '12b')).toBe(12);
    expect(parseSize('s', '')).toBeUndefined();
  });

  it.each(['ten', '-1G', '1.5', '5X', 'G', '1e9', '10 GB extra', '99999999999T'])(
    'refuse %p, naming the input',
    (value) => {
      expect(() => parseSize('cache-local-max-size', value)).toThrow(
        `Input cache-local-max-size must be a size such as 500M, 2G or a number of bytes (K, M, G, T are powers of 1024), got "${value}".`,
      );
    },
  );
});

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
