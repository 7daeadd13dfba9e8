/**
 * The runner tool cache: `$RUNNER_TOOL_CACHE/Python/<version>/<arch>/` plus a
 * `<arch>.complete` marker next to it. An entry without its marker is half-written (an
 * interrupted install) and is never used.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { probeInterpreter } from './probe.js';
import { normalizeVersion, pythonSpelling } from './spec.js';

export interface ToolCacheEntry {
  /** Canonical version (see normalizeVersion). */
  version: string;
  /** `Python/<dirName>/<arch>`: the install prefix. */
  dir: string;
  executable: string;
}

export function pythonToolDir(toolCacheDir: string): string {
  return join(toolCacheDir, 'Python');
}

export function entryDir(toolCacheDir: string, versionDirName: string, arch: string): string {
  return join(pythonToolDir(toolCacheDir), versionDirName, arch);
}

export function completeMarker(toolCacheDir: string, versionDirName: string, arch: string): string {
  return join(pythonToolDir(toolCacheDir), versionDirName, `${arch}.complete`);
}

/** Where the interpreter sits in an install prefix (the hosted runners' layout). */
export function executableIn(
  prefix: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const candidates =
    platform === 'win32'
      ? [join(prefix, 'python.exe')]
      : [join(prefix, 'bin', 'python'), join(prefix, 'bin', 'python3')];
  return candidates.find((candidate) => existsSync(candidate));
}

/**
 * Complete entries for `arch`, newest first. Folders whose name is not a version, entries
 * without a marker, and entries without an interpreter are skipped (`skipped` says why).
 */
export function listToolCache(
  toolCacheDir: string,
  arch: string,
  skipped: (why: string) => void = () => {},
): ToolCacheEntry[] {
  const root = pythonToolDir(toolCacheDir);
  if (!existsSync(root)) return [];
  const entries: ToolCacheEntry[] = [];
  for (const name of readdirSync(root)) {
    const version = normalizeVersion(name);
    if (!version) continue;
    const dir = entryDir(toolCacheDir, name, arch);
    if (!existsSync(dir)) continue;
    if (!existsSync(completeMarker(toolCacheDir, name, arch))) {
      skipped(`${dir} has no ${arch}.complete marker (an unfinished install); ignoring it`);
      continue;
    }
    const executable = executableIn(dir);
    if (!executable) {
      skipped(`${dir} has no python executable; ignoring it`);
      continue;
    }
    entries.push({ version, dir, executable });
  }
  return entries;
}

/**
 * Why an entry cannot be used, or undefined when its interpreter runs and is the version its
 * folder names. A folder is only a name: a Python 3.11 copied into `Python/3.12.4/x64` must not
 * be reported, and tested against, as 3.12.4.
 */
export async function toolCacheEntryProblem(entry: ToolCacheEntry): Promise<string | undefined> {
  const probed = await probeInterpreter(entry.executable);
  if (!probed) {
    return `${entry.executable} does not run as a Python interpreter; ignoring ${entry.dir}. Remove that folder or reinstall Python ${pythonSpelling(entry.version)} there.`;
  }
  if (probed.version !== entry.version) {
    return `${entry.dir} holds Python ${pythonSpelling(probed.version)}, not ${pythonSpelling(entry.version)} as its folder says; ignoring it. Remove that folder or reinstall Python ${pythonSpelling(entry.version)} there.`;
  }
  return undefined;
}

/** Removes an entry and its marker (and the version folder when nothing else is left in it). */
export function removeEntry(toolCacheDir: string, versionDirName: string, arch: string): void {
  rmSync(completeMarker(toolCacheDir, versionDirName, arch), { force: true });
  rmSync(entryDir(toolCacheDir, versionDirName, arch), { recursive: true, force: true });
  const versionDir = join(pythonToolDir(toolCacheDir), versionDirName);
  if (existsSync(versionDir) && readdirSync(versionDir).length === 0)
    rmSync(versionDir, { recursive: true, force: true });
}
