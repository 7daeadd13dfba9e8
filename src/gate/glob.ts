/**
 * Branch and tag patterns, with the semantics of GitHub's `on.push.branches` filters: `*` stops at
 * `/`, `**` crosses it, `!pattern` excludes what an earlier pattern included (the last matching
 * pattern decides). A pattern that starts with `refs/` is matched against the full ref
 * (`refs/tags/v1`), any other against the short name (`v1`).
 */
import { Minimatch } from 'minimatch';

export interface RefPattern {
  /** The pattern as the user wrote it, `!` included; used in reasons and errors. */
  source: string;
  /** `!pattern`: a match excludes the ref instead of including it. */
  negated: boolean;
  /** Match against the full ref (`refs/heads/main`) rather than the short name (`main`). */
  fullRef: boolean;
  matcher: Minimatch;
}

/** A ref as the gate sees it: the short name and the full ref it came from. */
export interface RefName {
  name: string;
  fullRef: string;
}

/** Characters git forbids in ref names; a pattern containing them can never match. */
const FORBIDDEN = /[\s~^:\\\p{Cc}]/u;

/** Why `glob` is not a usable pattern, or undefined when it is. Pure; no exceptions. */
export function globProblem(glob: string): string | undefined {
  const body = glob.startsWith('!') ? glob.slice(1) : glob;
  if (body === '') return 'is empty';
  const bad = FORBIDDEN.exec(body);
  if (bad) {
    const shown = /\s/.test(bad[0]) ? 'whitespace' : JSON.stringify(bad[0]);
    return `contains ${shown}, which git does not allow in a branch or tag name`;
  }
  if (body.startsWith('/') || body.endsWith('/')) return 'starts or ends with "/"';
  const brackets = unbalanced(body);
  if (brackets) return brackets;
  return undefined;
}

const MINIMATCH_OPTIONS = { dot: true, nocomment: true, nonegate: true } as const;

/** Closers of the bracket kinds a glob uses, by opener. */
const CLOSERS: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

/**
 * Unclosed or stray `[`, `{`, `(`: minimatch quietly treats them as literal characters, so the
 * pattern would match nothing the user meant. (Git refs cannot contain `[` at all.)
 */
function unbalanced(body: string): string | undefined {
  const open: string[] = [];
  for (const char of body) {
    if (char in CLOSERS) open.push(char);
    else if (Object.values(CLOSERS).includes(char)) {
      const opener = open.pop();
      if (opener === undefined || CLOSERS[opener] !== char)
        return `has a "${char}" that closes nothing`;
    }
  }
  const last = open.pop();
  return last === undefined ? undefined : `has a "${last}" without a closing "${CLOSERS[last]}"`;
}

/** Compiles a pattern; call globProblem first (rules.ts does, to name the input in the error). */
export function compileRefPattern(glob: string): RefPattern {
  const negated = glob.startsWith('!');
  const body = negated ? glob.slice(1) : glob;
  return {
    source: glob,
    negated,
    fullRef: body.startsWith('refs/'),
    matcher: new Minimatch(body, MINIMATCH_OPTIONS),
  };
}

export function patternMatches(pattern: RefPattern, ref: RefName): boolean {
  return pattern.matcher.match(pattern.fullRef ? ref.fullRef : ref.name);
}

/**
 * The pattern that lets `ref` in, or undefined. Patterns are read in order and the last one that
 * matches decides, so `release/*` then `!release/old` lets in every release branch but one.
 */
export function matchRefPatterns(
  patterns: readonly RefPattern[],
  ref: RefName,
): RefPattern | undefined {
  let decided: RefPattern | undefined;
  for (const pattern of patterns) {
    if (patternMatches(pattern, ref)) decided = pattern.negated ? undefined : pattern;
  }
  return decided;
}
