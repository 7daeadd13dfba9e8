/**
 * A log that can hold its lines back. A cache save runs while pytest runs, and pytest's output
 * is fenced with ::stop-commands:: (runner/exec.ts): a warning printed inside the fence would be
 * plain text to the runner. So while deferred, lines are kept, and printed when the save is
 * awaited, after the tests.
 */
import * as core from '@actions/core';
import type { Log } from '../runner/log.js';

type Level = 'info' | 'warning' | 'notice' | 'debug';

export interface DeferredLog extends Log {
  notice(message: string): void;
  /** From now on, keep lines instead of printing them. */
  defer(): void;
  /** Print what was kept, in order, and print directly again. */
  flush(): void;
  /** How many warnings were logged so far (a store that warned is not asked again). */
  readonly warnings: number;
}

export function deferredLog(): DeferredLog {
  let held: [Level, string][] | undefined;
  let warnings = 0;
  const emit = (level: Level, message: string) => {
    if (level === 'warning') warnings++;
    if (held) held.push([level, message]);
    else core[level](message);
  };
  return {
    info: (message) => emit('info', message),
    warning: (message) => emit('warning', message),
    notice: (message) => emit('notice', message),
    debug: (message) => emit('debug', message),
    defer: () => {
      held ??= [];
    },
    flush: () => {
      const lines = held ?? [];
      held = undefined;
      for (const [level, message] of lines) core[level](message);
    },
    get warnings() {
      return warnings;
    },
  };
}
