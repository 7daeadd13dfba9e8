/**
 * Annotations for failed tests: one error at file:line per failure or error, paths relative to
 * the repository root (GitHub places annotations by that path), capped at GitHub's per-step
 * limit with one notice for the rest.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import type { TestFailure, TestResult } from '../pytest/result.js';
import { truncate } from '../runner/text.js';

export interface Annotation {
  /** Path relative to the repository root, `/`-separated; absent when outside the repository. */
  file?: string;
  line?: number;
  title: string;
  message: string;
}

export interface AnnotationPlan {
  annotations: Annotation[];
  /** Set when failures were left out, for one `core.notice`. */
  overflowNotice?: string;
}

export interface AnnotationPaths {
  /** GITHUB_WORKSPACE: annotation paths are relative to it. */
  repoRoot: string;
  /** The `working-directory` input, absolute or relative to repoRoot. */
  workingDirectory: string;
  /** pytest's rootdir (JUnit paths are relative to it), absolute or relative to the working directory; default the working directory. */
  pytestRootdir?: string;
}

/** GitHub shows at most 10 error annotations per step. */
export const MAX_ERROR_ANNOTATIONS = 10;
/** And at most 10 warning annotations per step (uncovered changed lines use them). */
export const MAX_WARNING_ANNOTATIONS = 10;
const MAX_MESSAGE_CHARS = 4000;
const MAX_TITLE_CHARS = 255;

/**
 * One annotation per failure; with `sourceLabel` (several JUnit files: a matrix), one per test
 * and place, whose title says on which legs it failed (`... (on py3.11-ubuntu, py3.12-ubuntu)`).
 */
export function buildAnnotations(
  result: TestResult,
  paths: AnnotationPaths,
  limit = MAX_ERROR_ANNOTATIONS,
  sourceLabel?: (source: string) => string,
): AnnotationPlan {
  const groups = new Map<string, { failure: TestFailure; labels: string[] }>();
  for (const failure of result.failures) {
    const key = sourceLabel
      ? JSON.stringify([failure.id, failure.kind, failure.file, failure.line, failure.message])
      : String(groups.size);
    const label = sourceLabel && failure.source ? sourceLabel(failure.source) : undefined;
    const group = groups.get(key) ?? { failure, labels: [] };
    if (label !== undefined && !group.labels.includes(label)) group.labels.push(label);
    groups.set(key, group);
  }
  const shown = [...groups.values()].slice(0, limit);
  const annotations = shown.map(({ failure, labels }) =>
    annotationFor(failure, paths, labels.length > 0 ? ` (on ${labels.join(', ')})` : ''),
  );
  const total = groups.size + result.failuresOmitted;
  const more = total - shown.length;
  if (more <= 0) return { annotations };
  const noun = more === 1 ? 'failure' : 'failures';
  return {
    annotations,
    overflowNotice: `${more} more ${noun} not annotated; see the job summary.`,
  };
}

/** Writes the plan as `::error` and `::notice` workflow commands. */
export function emitAnnotations(plan: AnnotationPlan): void {
  for (const a of plan.annotations) {
    core.error(a.message, {
      title: a.title,
      ...(a.file !== undefined ? { file: a.file } : {}),
      ...(a.line !== undefined ? { startLine: a.line } : {}),
    });
  }
  if (plan.overflowNotice) core.notice(plan.overflowNotice);
}

function annotationFor(failure: TestFailure, paths: AnnotationPaths, where = ''): Annotation {
  const verb = failure.kind === 'error' ? 'Error in' : 'Failed:';
  const file = failure.file === undefined ? undefined : repoRelative(failure.file, paths);
  return {
    ...(file !== undefined ? { file } : {}),
    ...(file !== undefined && failure.line !== undefined ? { line: failure.line } : {}),
    title: truncate(`${verb} ${failure.id}${where}`, MAX_TITLE_CHARS),
    message: truncate(messageOf(failure), MAX_MESSAGE_CHARS),
  };
}

/** The message pytest gave, or else the `E` lines of the traceback, or else its last line. */
function messageOf(failure: TestFailure): string {
  if (failure.message.trim() !== '') return failure.message;
  const lines = failure.details.split('\n');
  const eLines = lines.filter((l) => l.startsWith('E ')).map((l) => l.slice(1).trim());
  if (eLines.length > 0) return eLines.join('\n');
  return lines.filter((l) => l.trim() !== '').pop() ?? `${failure.kind} in ${failure.id}`;
}

/** The JUnit path (relative to pytest's rootdir) made relative to the repository root. */
export function repoRelative(file: string, paths: AnnotationPaths): string | undefined {
  const workingDirectory = resolve(paths.repoRoot, paths.workingDirectory);
  const rootdir = resolve(workingDirectory, paths.pytestRootdir ?? '.');
  const path = relative(resolve(paths.repoRoot), resolve(rootdir, file));
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) {
    return undefined;
  }
  return path.split(sep).join('/');
}
