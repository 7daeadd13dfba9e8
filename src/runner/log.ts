/**
 * The one logger interface of the stages: @actions/core on the runner, a recorder in tests.
 * A stage that never debugs asks for less (`Pick<Log, 'info' | 'warning'>`).
 */
import * as core from '@actions/core';

export interface Log {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export const coreLog: Log = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
};
