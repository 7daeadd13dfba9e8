/**
 * What a coverage-files entry is, from its first bytes (not its name: `coverage.xml`, `.coverage`
 * and `.coverage.<shard>` are all conventions, and artifacts get renamed): a coverage.py data
 * file (SQLite, or the JSON of coverage.py before 5) or a Cobertura XML report.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../runner/errors.js';

export type CoverageFileKind = 'data' | 'xml';

const HEAD_BYTES = 256;

/** Pure: the kind of a file starting with `head`, undefined when it is neither. */
export function kindOfHead(head: Buffer): CoverageFileKind | undefined {
  if (head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'data';
  // A UTF-8 byte order mark and blank lines may come before the XML.
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('!coverage.py:')) return 'data';
  if (/^<(\?xml[\s?]|coverage[\s>/]|!DOCTYPE\s+coverage[\s>[]|!--)/.test(text)) return 'xml';
  return undefined;
}

export function coverageFileKind(path: string): CoverageFileKind {
  const head = Buffer.alloc(HEAD_BYTES);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, HEAD_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  const kind = kindOfHead(head.subarray(0, read));
  if (kind === undefined) {
    throw new InputError(
      `coverage-files: ${path} is neither a coverage.py data file nor a Cobertura XML report (it starts with ${JSON.stringify(head.subarray(0, Math.min(read, 24)).toString('latin1'))}). Give the .coverage.* data files the test jobs wrote, or their coverage.xml (pytest-cov's --cov-report=xml, coverage xml).`,
    );
  }
  return kind;
}
