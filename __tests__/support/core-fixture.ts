/**
 * The one @actions/core fixture of the unit tests: every call the code makes to the runner
 * (outputs, failure, annotations, log lines, exported variables) recorded in typed lists instead
 * of written to the process's stdout and files. Mocked because a unit test runs inside jest's
 * process, whose stdout and GITHUB_* files are not a runner's; e2e tests run the real bundle.
 *
 *     const core = await mockActionsCore();            // before importing the module under test
 *     const { failStep } = await import('../../src/runner/failure.js');
 */
import { jest } from '@jest/globals';
import type { AnnotationProperties } from '@actions/core';

export interface Annotation {
  message: string;
  properties?: AnnotationProperties;
}

export interface CoreCalls {
  outputs: Record<string, string>;
  /** Messages given to setFailed, in order. */
  failed: string[];
  errors: Annotation[];
  warnings: Annotation[];
  notices: Annotation[];
  info: string[];
  debug: string[];
  secrets: string[];
  exported: Record<string, string>;
  paths: string[];
}

function text(message: string | Error): string {
  return message instanceof Error ? message.message : message;
}

function emptyCalls(): CoreCalls {
  return {
    outputs: {},
    failed: [],
    errors: [],
    warnings: [],
    notices: [],
    info: [],
    debug: [],
    secrets: [],
    exported: {},
    paths: [],
  };
}

/** One record per test file: jest keeps the first mocked instance of a module for the file. */
let calls: CoreCalls | undefined;

/**
 * Replaces @actions/core for the modules imported after this call (ESM mocks apply to later
 * dynamic imports), spreading the real module so anything not recorded keeps working. Each call
 * empties the record and returns it.
 */
export async function mockActionsCore(): Promise<CoreCalls> {
  if (calls) {
    Object.assign(calls, emptyCalls());
    return calls;
  }
  const record = emptyCalls();
  calls = record;
  const actual = await import('@actions/core');
  jest.unstable_mockModule('@actions/core', () => ({
    ...actual,
    setOutput: (name: string, value: unknown) => {
      record.outputs[name] = String(value);
    },
    setFailed: (message: string | Error) => {
      record.failed.push(text(message));
    },
    error: (message: string | Error, properties?: AnnotationProperties) => {
      record.errors.push({ message: text(message), properties });
    },
    warning: (message: string | Error, properties?: AnnotationProperties) => {
      record.warnings.push({ message: text(message), properties });
    },
    notice: (message: string | Error, properties?: AnnotationProperties) => {
      record.notices.push({ message: text(message), properties });
    },
    info: (message: string) => {
      record.info.push(message);
    },
    debug: (message: string) => {
      record.debug.push(message);
    },
    setSecret: (secret: string) => {
      record.secrets.push(secret);
    },
    exportVariable: (name: string, value: unknown) => {
      record.exported[name] = String(value);
    },
    addPath: (path: string) => {
      record.paths.push(path);
    },
    startGroup: () => undefined,
    endGroup: () => undefined,
  }));
  return record;
}
