import { errorMessage } from '../../src/runner/errors.js';
import { compareStrings, truncate } from '../../src/runner/text.js';

describe('truncate', () => {
  it('keeps text that fits', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('cuts longer text to `max` characters, the last one an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 4)).toHaveLength(4);
  });
});

describe('compareStrings', () => {
  it('orders by code unit, whatever the locale (upper case before lower case)', () => {
    expect(['b', 'a', 'B', 'é', 'e'].sort(compareStrings)).toEqual(['B', 'a', 'b', 'e', 'é']);
  });

  it('says equal for equal strings', () => {
    expect(compareStrings('x', 'x')).toBe(0);
  });
});

describe('errorMessage', () => {
  it("is an Error's message", () => {
    expect(errorMessage(new TypeError('x is undefined'))).toBe('x is undefined');
  });

  it('is the text of anything else thrown', () => {
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
