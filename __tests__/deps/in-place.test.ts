/** The digest an in-place marker records: what verification checks, in a stable form. */
import { describe, expect, test } from '@jest/globals';
import { stateDigest } from '../../src/deps/in-place.js';

describe('stateDigest', () => {
  const dists = [
    { name: 'Six', version: '1.17.0' },
    { name: 'pytest', version: '9.1.1' },
  ];
  test('ignores order and name spelling', () => {
    expect(stateDigest('3.11.7', dists)).toBe(
      stateDigest('3.11.7', [
        { name: 'pytest', version: '9.1.1' },
        { name: 'six', version: '1.17.0' },
      ]),
    );
  });

  test('changes with a version, a missing or extra distribution, or the interpreter', () => {
    const base = stateDigest('3.11.7', dists);
    expect(stateDigest('3.11.8', dists)).not.toBe(base);
    expect(stateDigest('3.11.7', [dists[0], { name: 'pytest', version: '9.1.0' }])).not.toBe(base);
    expect(stateDigest('3.11.7', [dists[1]])).not.toBe(base);
    expect(stateDigest('3.11.7', [...dists, { name: 'idna', version: '3.20' }])).not.toBe(base);
  });
});
