/** The time-bounded wrapper passes restore keys through and reports the entry restored. */
import { describe, expect, test } from '@jest/globals';
import type { CacheBackend } from '../../../src/deps/cache/backend.js';
import { boundedBackend } from '../../../src/deps/cache/bounded.js';
import { recordingLog } from '../../support/venv-fixtures.js';

function fakeBackend(answer: Promise<string | undefined>) {
  const calls: [string, string[], readonly string[] | undefined][] = [];
  const backend: CacheBackend = {
    name: 'fake',
    restore(key, paths, restoreKeys) {
      calls.push([key, paths, restoreKeys]);
      return answer;
    },
    save: () => Promise.resolve(true),
  };
  return { backend, calls };
}

describe('boundedBackend', () => {
  test('passes the restore keys through and resolves to the key the backend restored', async () => {
    const { backend, calls } = fakeBackend(Promise.resolve('pyci-venv-a-old'));
    const log = recordingLog();
    const bounded = boundedBackend(backend, 5, log);
    expect(await bounded.restore('pyci-venv-a-new', ['/v'], ['pyci-venv-a-'])).toBe(
      'pyci-venv-a-old',
    );
    expect(calls).toEqual([['pyci-venv-a-new', ['/v'], ['pyci-venv-a-']]]);
    expect(log.warnings).toEqual([]);
  });

  test('a restore past the time limit is a miss with a warning', async () => {
    const { backend } = fakeBackend(new Promise(() => undefined));
    const log = recordingLog();
    const bounded = boundedBackend(backend, 0.05, log);
    expect(await bounded.restore('pyci-venv-slow', ['/v'], ['pyci-venv-'])).toBeUndefined();
    expect(log.warnings).toEqual([
      expect.stringMatching(/^Restoring cache pyci-venv-slow .* took longer than 0\.05 s/),
    ]);
  });
});
