import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assetPath } from '../../src/runner/asset.js';

describe('assetPath', () => {
  const file = join('/opt', 'dir with space', 'plugin.py');

  it('turns a file: URL (from source: jest, tsx) into a path', () => {
    expect(assetPath(pathToFileURL(file))).toBe(file);
  });

  it('turns a file: URL string into a path', () => {
    expect(assetPath(pathToFileURL(file).href)).toBe(file);
  });

  it('keeps a plain path (what ncc rewrites the expression into) as it is', () => {
    expect(assetPath(file)).toBe(file);
  });

  it('finds a file next to this module from source', () => {
    expect(assetPath(new URL('./asset.test.ts', import.meta.url))).toBe(
      join(import.meta.dirname ?? '', 'asset.test.ts'),
    );
  });
});
