/**
 * Where a file shipped next to a module lives (a `.py` file, say). Write the reference as
 * `assetPath(new URL('./file.py', import.meta.url))`: ncc sees that expression and copies the
 * file into dist/. Its asset relocator ships it under its own name and rewrites the expression
 * into a plain path string; in a module the relocator cannot parse (it skips those with `??=` or
 * `60_000`), webpack ships it under a hashed name and leaves a file: URL. From source (jest, tsx)
 * it stays a file: URL. This takes all three.
 */
import { fileURLToPath } from 'node:url';

export function assetPath(ref: URL | string): string {
  const text = String(ref);
  return text.startsWith('file:') ? fileURLToPath(text) : text;
}
