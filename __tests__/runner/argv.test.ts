import { splitArgs } from '../../src/runner/argv.js';
import { InputError } from '../../src/runner/errors.js';

describe('splitArgs', () => {
  it.each([
    ['', []],
    ['-x -q', ['-x', '-q']],
    ['  -k   "not slow"  tests/ ', ['-k', 'not slow', 'tests/']],
    ["-k 'a and b'", ['-k', 'a and b']],
    ['-m "x \\"y\\""', ['-m', 'x "y"']],
    ['a\\ b c', ['a b', 'c']],
    ['""', ['']],
    ["--x='$HOME'", ['--x=$HOME']],
    ['$(rm -rf /) `id` ; && |', ['$(rm', '-rf', '/)', '`id`', ';', '&&', '|']],
    ['line1\nline2', ['line1', 'line2']],
  ])('splits %j like a shell, without expanding anything', (text, expected) => {
    expect(splitArgs(text, 'pytest-args')).toEqual(expected);
  });

  it.each(['-k "open', "-k 'open"])(
    'rejects an unterminated quote in %j, naming the input',
    (text) => {
      expect(() => splitArgs(text, 'pytest-args')).toThrow(InputError);
      expect(() => splitArgs(text, 'pytest-args')).toThrow(/^pytest-args: unterminated .* quote/);
    },
  );
});
