/**
 * Bounds every restore and save (`cache-timeout`): a cache service that accepts connections and
 * never answers must cost a warning, not the job's whole time limit. The stalled call cannot be
 * cancelled (@actions/cache takes no abort signal), so it is abandoned: its sockets are unref'd,
 * so that they do not keep node alive once the action's work is done.
 */
import type { Socket } from 'node:net';
import { coreLog } from '../../runner/log.js';
import type { CacheBackend, CacheLog } from './backend.js';

type Outcome<T> = { done: true; value: T } | { done: false };

async function within<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Network sockets open when a call is abandoned belong to it (nothing else of ours runs during a
 * restore or save): unref them. Node has no public list of handles; without one this does nothing
 * and the entry point's exit after run() is what ends the process.
 */
function releaseAbandonedSockets(): void {
  const handles = (
    process as unknown as { _getActiveHandles?: () => unknown[] }
  )._getActiveHandles?.();
  for (const handle of handles ?? []) {
    const socket = handle as Partial<Socket>;
    if (typeof socket.unref === 'function' && socket.remoteAddress !== undefined) socket.unref();
  }
}

export function boundedBackend(
  backend: CacheBackend,
  seconds: number,
  log: CacheLog = coreLog,
): CacheBackend {
  const ms = seconds * 1000;
  return {
    name: backend.name,
    async restore(key, paths, restoreKeys = []) {
      const outcome = await within(backend.restore(key, paths, restoreKeys), ms);
      if (outcome.done) return outcome.value;
      releaseAbandonedSockets();
      log.warning(
        `Restoring cache ${key} from the ${backend.name} cache took longer than ${seconds} s (cache-timeout); installing afresh.`,
      );
      return undefined;
    },
    async save(key, paths, options) {
      const outcome = await within(backend.save(key, paths, options), ms);
      if (outcome.done) return outcome.value;
      releaseAbandonedSockets();
      log.warning(
        `Saving cache ${key} to the ${backend.name} cache took longer than ${seconds} s (cache-timeout); going on without saving.`,
      );
      return false;
    },
  };
}
