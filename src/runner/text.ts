/** Small text helpers shared by the stages. */

/** `text` cut to at most `max` characters, ending in `…` when it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Code-unit order, not locale order (`localeCompare`): what depends on it (cache keys, shards)
 * must come out the same on every runner, whatever its locale.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
