/**
 * Parsing of the Python stage's list-like inputs (`python-source`, `architecture`). Pure; the
 * lead's config.ts calls these so bad input fails before any work starts.
 */
import { InputError } from '../runner/errors.js';
import { parseNames } from '../runner/inputs.js';
import type { PythonSource } from './interpreter.js';

export const DEFAULT_SOURCES: readonly PythonSource[] = ['tool-cache', 'manifest', 'system'];

const SOURCE_NAMES: readonly string[] = DEFAULT_SOURCES;

/**
 * `python-source`: the sources to try, in order, separated by commas, spaces or newlines.
 * Empty means all three in the default order.
 */
export function parsePythonSources(raw: string): PythonSource[] {
  const names = parseNames(raw).map((name) => name.toLowerCase());
  if (names.length === 0) return [...DEFAULT_SOURCES];
  const seen = new Set<string>();
  for (const name of names) {
    if (!SOURCE_NAMES.includes(name)) {
      throw new InputError(
        `python-source "${raw}" names an unknown source "${name}". ` +
          `Use one or more of ${SOURCE_NAMES.join(', ')} (in the order to try them), e.g. "tool-cache, system".`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(`python-source "${raw}" lists "${name}" twice. Name each source once.`);
    }
    seen.add(name);
  }
  return names as PythonSource[];
}

const ARCHITECTURE_ALIASES: Record<string, string> = {
  x64: 'x64',
  amd64: 'x64',
  x86_64: 'x64',
  x86: 'x86',
  ia32: 'x86',
  i386: 'x86',
  i686: 'x86',
  arm64: 'arm64',
  aarch64: 'arm64',
  arm: 'arm',
  armv7l: 'arm',
  armhf: 'arm',
  ppc64le: 'ppc64le',
  s390x: 's390x',
};

/**
 * `architecture` in the tool cache's spelling (x64, x86, arm64, ...), from any of the common
 * names (RUNNER_ARCH's `X64`, Node's `x64`, Python's `x86_64`/`aarch64`).
 */
export function normalizeArchitecture(raw: string): string {
  const normalized = ARCHITECTURE_ALIASES[raw.trim().toLowerCase()];
  if (!normalized) {
    throw new InputError(
      `architecture "${raw}" is not known. Use x64, x86 or arm64 (or leave it empty for the runner's own).`,
    );
  }
  return normalized;
}
