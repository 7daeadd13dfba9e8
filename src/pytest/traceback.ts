/**
 * Bounded capture of failure text and the failing line inside it. The reader never keeps a
 * whole traceback: a test that dumps megabytes of output must not grow the action's memory.
 */

/**
 * Keeps the first quarter and the last three quarters of at most `limit` characters: the head
 * says where the failure started, the tail holds pytest's `E` lines and the `file:line:` crash.
 */
export class BoundedText {
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  private total = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(limit: number) {
    this.headLimit = Math.floor(limit / 4);
    this.tailLimit = limit - this.headLimit;
  }

  append(text: string): void {
    this.total += text.length;
    if (this.head.length < this.headLimit) {
      const room = this.headLimit - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
      if (text === '') return;
    }
    this.tail.push(text);
    this.tailLength += text.length;
    // Compact only when the tail doubles its limit, so appends stay amortised O(1).
    if (this.tailLength > 2 * this.tailLimit) this.compact();
  }

  toString(): string {
    this.compact();
    const tail = this.tail.join('');
    const omitted = this.total - this.head.length - tail.length;
    if (omitted <= 0) return this.head + tail;
    return `${this.head}\n… ${omitted} characters omitted …\n${tail}`;
  }

  private compact(): void {
    const joined = this.tail.join('');
    const kept = joined.length > this.tailLimit ? joined.slice(-this.tailLimit) : joined;
    this.tail = kept === '' ? [] : [kept];
    this.tailLength = kept.length;
  }
}

/**
 * The line of `file` where the test failed, read from the traceback: pytest's long and short
 * styles print `path:line: ...`, the native style `File "path", line N`. The last mention of
 * the test's own file wins (the crash inside the test, not a helper it called). Either path may
 * be the longer one: JUnit's is relative to pytest's rootdir, the traceback's to where it ran.
 */
export function failureLineInFile(details: string, file: string): number | undefined {
  const wanted = file.replace(/\\/g, '/');
  let found: number | undefined;
  const pattern = /^(?:(.+?):(\d+):(?: |$)|\s*File "(.+?)", line (\d+))/gm;
  for (let match = pattern.exec(details); match; match = pattern.exec(details)) {
    const path = (match[1] ?? match[3]).replace(/\\/g, '/');
    const same = path === wanted || path.endsWith(`/${wanted}`) || wanted.endsWith(`/${path}`);
    if (same) found = Number(match[2] ?? match[4]);
  }
  return found;
}
