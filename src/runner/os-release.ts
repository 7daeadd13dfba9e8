/** os-release(5): the Linux distribution's id and version, read once and parsed in one place. */
import { readFileSync } from 'node:fs';

/** The KEY=value fields of an os-release file (`ID`, `VERSION_ID`, ...), quotes removed. */
export type OsReleaseFields = Record<string, string>;

/** The places os-release(5) names, in the order it says to try them. */
const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'];

/** Parses the KEY=value (optionally quoted) lines of os-release(5). Pure. */
export function parseOsRelease(text: string): OsReleaseFields {
  const fields: OsReleaseFields = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

/** This machine's os-release fields: /etc/os-release, else /usr/lib/os-release, else {}. */
export function readOsRelease(paths: readonly string[] = OS_RELEASE_PATHS): OsReleaseFields {
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // try the next location os-release(5) names
    }
    return parseOsRelease(text);
  }
  return {};
}
