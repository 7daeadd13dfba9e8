import fc from 'fast-check';
import { JsonStream, JsonStreamError, type JsonScalar } from '../../src/coverage/json-stream.js';

/** Every (path, scalar) pair of a parsed value, as the stream should report them. */
function scalars(value: unknown, path: (string | number)[] = []): [string, JsonScalar][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => scalars(v, [...path, i]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => scalars(v, [...path, k]));
  return [[JSON.stringify(path), value as JsonScalar]];
}

function streamed(text: string, chunkSize: number): [string, JsonScalar][] {
  const seen: [string, JsonScalar][] = [];
  const stream = new JsonStream((path, value) => seen.push([JSON.stringify(path), value]));
  for (let i = 0; i < text.length; i += chunkSize) stream.write(text.slice(i, i + chunkSize));
  stream.end();
  return seen;
}

describe('JsonStream', () => {
  it('reports every scalar with its path, however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        (value, size, pretty) => {
          const text = JSON.stringify(value, null, pretty ? 2 : undefined);
          expect(streamed(text, size)).toEqual(scalars(JSON.parse(text)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads escapes and unicode in keys and strings split across chunks', () => {
    const text = JSON.stringify({ 'a"\\b\u00e9': ['x\ny', '\u2603', 1e-5, -0.5, true, null] });
    expect(streamed(text, 1)).toEqual(scalars(JSON.parse(text)));
  });

  it.each(['{"a": 1', '[1, 2', '{"a" 1}', '[1 2]', '{"a": tru}', '{} {}'])(
    'rejects malformed JSON: %s',
    (text) => {
      expect(() => streamed(text, 3)).toThrow(JsonStreamError);
    },
  );
});
