/**
 * The lines a change adds, from `git diff --unified=0` output: for each new-side file, the line
 * numbers of its `+` hunks. Pure.
 */

/** New-side path (relative to the repository root, `/`-separated) -> added line numbers. */
export type ChangedLines = Map<string, Set<number>>;

/** git's C-quoted path ("a\tb" with octal escapes), as it prints unusual names. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  const simple: Record<string, number> = {
    n: 10,
    t: 9,
    '"': 34,
    '\\': 92,
    a: 7,
    b: 8,
    f: 12,
    r: 13,
    v: 11,
  };
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      bytes.push(...Buffer.from(body[i], 'utf8'));
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(simple[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function parseUnifiedDiff(text: string): ChangedLines {
  const changed: ChangedLines = new Map();
  let current: Set<number> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('+++ ')) {
      const target = line.slice(4).replace(/\t$/, '');
      current = undefined;
      if (target === '/dev/null') continue;
      const path = unquote(target);
      const clean = path.startsWith('b/') ? path.slice(2) : path;
      current = changed.get(clean) ?? new Set();
      changed.set(clean, current);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && current) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      for (let n = start; n < start + count; n++) current.add(n);
    }
  }
  for (const [path, lines] of changed) if (lines.size === 0) changed.delete(path);
  return changed;
}
