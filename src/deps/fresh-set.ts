/**
 * What a fresh install would hold, and how far a venv is from it (pure). The fresh set is pip's
 * own resolution (`pip install --dry-run --ignore-installed --report`) plus what `python -m venv`
 * seeds a new venv with; an incremental install removes what is not in it, installs what
 * differs, and must then list exactly that set.
 */
import { normalizeName } from './checkout-check.js';

/** One distribution, by normalized name. */
export interface Dist {
  name: string;
  version: string;
}

/** A distribution of pip's installation report (`--report`, format version 1). */
export interface ReportItem extends Dist {
  /**
   * Named by a direct reference (a local folder or file, a VCS or archive URL), not found on an
   * index: its content can change without its version, so it is always reinstalled.
   */
  direct: boolean;
}

/** Reads pip's installation report; throws on anything that is not one. */
export function parseInstallReport(text: string): ReportItem[] {
  const report = JSON.parse(text) as {
    install?: {
      metadata?: { name?: string; version?: string };
      is_direct?: boolean;
    }[];
  };
  if (!Array.isArray(report.install)) throw new Error('the report has no "install" list');
  return report.install.map((item) => {
    const { name, version } = item.metadata ?? {};
    if (!name || !version) throw new Error('a report entry has no name or version');
    return { name: normalizeName(name), version, direct: item.is_direct === true };
  });
}

/**
 * What `python -m venv` puts in a new venv besides what is asked for: pip, and setuptools
 * before Python 3.12 (ensurepip stopped bundling it in 3.12). Their versions are whatever the
 * venv got, so only their presence counts unless the report names them.
 */
export function venvSeeds(pythonVersion: string): string[] {
  const [major, minor] = pythonVersion.split('.').map(Number);
  return major === 3 && minor < 12 ? ['pip', 'setuptools'] : ['pip'];
}

export interface Reconciliation {
  /** Installed but not in the fresh set, or direct references (reinstalled in case they changed). */
  remove: string[];
  /** Distributions the install will add or change (missing, other version, direct). */
  update: string[];
}

export function planReconciliation(
  fresh: ReportItem[],
  installed: Dist[],
  pythonVersion: string,
): Reconciliation {
  const wanted = new Map(fresh.map((item) => [item.name, item]));
  const seeds = new Set(venvSeeds(pythonVersion));
  const have = new Map(installed.map((dist) => [normalizeName(dist.name), dist.version]));
  const remove = [...have.keys()].filter((name) => {
    const item = wanted.get(name);
    return item ? item.direct : !seeds.has(name);
  });
  const update = fresh
    .filter((item) => item.direct || have.get(item.name) !== item.version)
    .map((item) => item.name);
  return { remove: remove.sort(), update: update.sort() };
}

/**
 * How the venv differs from the fresh set, one phrase per difference (empty: equal). Seeds not
 * in the report must be there, at any version.
 */
export function differencesFromFresh(
  fresh: Dist[],
  installed: Dist[],
  pythonVersion: string,
): string[] {
  const have = new Map(installed.map((dist) => [normalizeName(dist.name), dist.version]));
  const wanted = new Map(fresh.map((dist) => [normalizeName(dist.name), dist.version]));
  const problems: string[] = [];
  for (const [name, version] of wanted) {
    const got = have.get(name);
    if (got === undefined) problems.push(`${name} ${version} is missing`);
    else if (got !== version) problems.push(`${name} is ${got}, not ${version}`);
  }
  for (const seed of venvSeeds(pythonVersion)) {
    if (!wanted.has(seed) && !have.has(seed)) problems.push(`${seed} is missing`);
  }
  const seeds = new Set(venvSeeds(pythonVersion));
  for (const [name, version] of have) {
    if (!wanted.has(name) && !seeds.has(name)) problems.push(`${name} ${version} is extra`);
  }
  return problems.sort();
}
