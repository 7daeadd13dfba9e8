/**
 * The coverage inputs' grammar and the threshold judgement: pure, read by config.ts and applied
 * by the coverage stage.
 */
import { InputError } from '../runner/errors.js';

export interface CoverageSettings {
  /** Measure coverage at all. */
  enabled: boolean;
  /** What `--cov=` measures; empty: the project's own packages (see own-packages.ts). */
  sources: string[];
  /** Percent the total must reach; undefined: no threshold. */
  threshold?: number;
  /** Report-only mode: coverage data files of the shards to combine (absolute paths). */
  files: string[];
}

/** `coverage`: false/empty (off), true (the project's own packages), or a list of sources. */
export function parseCoverageInput(
  entries: string[],
): Pick<CoverageSettings, 'enabled' | 'sources'> {
  if (entries.length === 0 || (entries.length === 1 && /^(false|False|FALSE)$/.test(entries[0])))
    return { enabled: false, sources: [] };
  if (entries.length === 1 && /^(true|True|TRUE)$/.test(entries[0]))
    return { enabled: true, sources: [] };
  const bad = entries.find((entry) => /^(true|false)$/i.test(entry) || entry.startsWith('-'));
  if (bad !== undefined) {
    throw new InputError(
      `coverage: "${bad}" is not a source to measure. Give true (the project's own packages), false, or packages/folders to measure, one per line (e.g. src/mypkg).`,
    );
  }
  return { enabled: true, sources: entries };
}

/** `coverage-threshold`: a percentage from 0 to 100 (a trailing % is allowed); empty: none. */
export function parseThreshold(raw: string): number | undefined {
  const text = raw.trim().replace(/%$/, '');
  if (text === '') return undefined;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 100)) {
    throw new InputError(
      `coverage-threshold "${raw}" is not a percentage from 0 to 100. Give e.g. 80 (or 87.5), or leave it empty for no threshold.`,
    );
  }
  return value;
}

/**
 * A percentage for people: one decimal, rounded down, so a total just under the threshold never
 * reads as reaching it (79.96 is "79.9", not "80.0").
 */
export function formatPercent(percent: number): string {
  return (Math.floor(percent * 10 + 1e-9) / 10).toFixed(1);
}

/** Undefined when `percent` reaches the threshold; otherwise the reason, for the gate and the step. */
export function thresholdProblem(
  percent: number,
  threshold: number | undefined,
): string | undefined {
  if (threshold === undefined || percent >= threshold) return undefined;
  return `coverage ${formatPercent(percent)}% is below ${threshold}%`;
}
