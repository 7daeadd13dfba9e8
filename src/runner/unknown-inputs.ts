/**
 * Inputs the runner passed that the action does not declare. The runner hands every `with:` key
 * to the action as INPUT_<NAME> and only warns about unknown ones, so `pytest_args:` would
 * silently run with the default pytest-args. We refuse instead, and name the closest real input.
 */
import { InputError } from './errors.js';

/** The environment variable the runner sets for an input. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface UnknownInput {
  /** As the user most likely wrote it: the variable's suffix, lower-cased. */
  given: string;
  /** The closest declared input, when one is close enough to be a likely typo. */
  suggestion?: string;
}

/** Ignores case and the `-`/`_` difference, the usual way an input name gets misspelt. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_ ]/g, '-');
}

/** Levenshtein distance, two rows at a time (names are short). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** The declared name nearest to `given`, if within a third of its length (at least 2 edits). */
export function closestName(given: string, declared: readonly string[]): string | undefined {
  const wanted = normalize(given);
  let best: { name: string; distance: number } | undefined;
  for (const name of declared) {
    const distance = editDistance(wanted, normalize(name));
    if (!best || distance < best.distance) best = { name, distance };
  }
  const tolerance = Math.max(2, Math.floor(wanted.length / 3));
  return best && best.distance <= tolerance ? best.name : undefined;
}

/** INPUT_* variables in `env` that match no declared input, in a stable order. */
export function findUnknownInputs(
  env: NodeJS.ProcessEnv,
  declared: readonly string[],
): UnknownInput[] {
  const known = new Set(declared.map(inputVariable));
  return Object.keys(env)
    .filter((variable) => variable.startsWith('INPUT_') && !known.has(variable))
    .sort()
    .map((variable) => {
      const given = variable.slice('INPUT_'.length).toLowerCase();
      const suggestion = closestName(given, declared);
      return suggestion ? { given, suggestion } : { given };
    });
}

/** Throws one InputError naming every unknown input and its likely intended name. */
export function refuseUnknownInputs(
  env: NodeJS.ProcessEnv,
  declared: readonly string[],
  action: string,
): void {
  const unknown = findUnknownInputs(env, declared);
  if (unknown.length === 0) return;
  const described = unknown
    .map(({ given, suggestion }) =>
      suggestion ? `"${given}" (did you mean ${suggestion}?)` : `"${given}"`,
    )
    .join(', ');
  const plural = unknown.length > 1;
  throw new InputError(
    `Unknown input${plural ? 's' : ''} ${described}: ${action} has no input${plural ? 's' : ''} of ${plural ? 'these names' : 'that name'}, and running on with the default${plural ? 's' : ''} could test or deploy something else than you meant. Fix the name under with:, or remove it; the inputs are listed in the README.`,
  );
}
