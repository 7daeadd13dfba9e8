/**
 * A streaming JSON reader: hands every scalar to a callback with its path (keys and indexes from
 * the root), holding only the path and the token being read. coverage.py's JSON report lists every
 * line number of every file; read whole it grows with the project, read this way it does not.
 */

export type JsonScalar = string | number | boolean | null;
/** The path of a value: object keys and array indexes. Shared and mutated: copy to keep it. */
export type JsonPath = readonly (string | number)[];
export type ScalarHandler = (path: JsonPath, value: JsonScalar) => void;

export class JsonStreamError extends Error {}

interface Frame {
  kind: 'object' | 'array';
  /** Object: a key was read and its value is awaited. */
  haveKey: boolean;
  /** A value was read and `,` or the close is awaited. */
  afterValue: boolean;
  /** Array: elements seen so far. */
  count: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

export class JsonStream {
  private buffer = '';
  private readonly frames: Frame[] = [];
  private readonly path: (string | number)[] = [];
  private done = false;

  constructor(private readonly onScalar: ScalarHandler) {}

  /** Feeds a chunk; an incomplete token at its end waits for the next chunk. */
  write(chunk: string): void {
    this.buffer += chunk;
    this.consume(false);
  }

  /** Ends the input: anything left open is an error. */
  end(): void {
    this.consume(true);
    if (!this.done || this.buffer.trim() !== '')
      throw new JsonStreamError('the JSON ends before it is complete');
  }

  private consume(final: boolean): void {
    const text = this.buffer;
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (WHITESPACE.has(char)) {
        i++;
        continue;
      }
      const frame = this.frames[this.frames.length - 1];
      if (this.done) throw new JsonStreamError(`unexpected ${JSON.stringify(char)} after the end`);
      if (frame?.afterValue) {
        if (char === ',') {
          frame.afterValue = false;
          frame.haveKey = false;
          i++;
          continue;
        }
        if ((char === '}' && frame.kind === 'object') || (char === ']' && frame.kind === 'array')) {
          this.close();
          i++;
          continue;
        }
        throw new JsonStreamError(`unexpected ${JSON.stringify(char)} after a value`);
      }
      if (frame?.kind === 'object' && !frame.haveKey) {
        if (char === '}') {
          this.close();
          i++;
          continue;
        }
        const end = stringEnd(text, i);
        if (end < 0) break; // incomplete key
        let j = end;
        while (j < text.length && WHITESPACE.has(text[j])) j++;
        if (j >= text.length) break; // the colon is in the next chunk
        if (text[j] !== ':') throw new JsonStreamError('expected ":" after an object key');
        this.path.push(JSON.parse(text.slice(i, end)) as string);
        frame.haveKey = true;
        i = j + 1;
        continue;
      }
      if (frame?.kind === 'array' && char === ']') {
        this.close();
        i++;
        continue;
      }
      // A value.
      if (char === '{' || char === '[') {
        if (frame?.kind === 'array') this.path.push(this.arrayIndex(frame));
        this.frames.push({
          kind: char === '{' ? 'object' : 'array',
          haveKey: false,
          afterValue: false,
          count: 0,
        });
        i++;
        continue;
      }
      let end: number;
      if (char === '"') end = stringEnd(text, i);
      else {
        end = i;
        while (end < text.length && /[-+.\w]/.test(text[end])) end++;
        if (end === text.length && !final) end = -1;
      }
      if (end < 0) break;
      let value: JsonScalar;
      try {
        value = JSON.parse(text.slice(i, end)) as JsonScalar;
      } catch {
        throw new JsonStreamError(`not a JSON value: ${text.slice(i, Math.min(end, i + 40))}`);
      }
      if (frame?.kind === 'array') this.path.push(this.arrayIndex(frame));
      this.onScalar(this.path, value);
      this.valueDone();
      i = end;
    }
    this.buffer = text.slice(i);
  }

  private arrayIndex(frame: Frame): number {
    return frame.count++;
  }

  private close(): void {
    this.frames.pop();
    this.valueDone();
  }

  /** A value ended: drop its key or index from the path; the container awaits `,` or its end. */
  private valueDone(): void {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) {
      this.done = true;
      return;
    }
    // Every open container holds one path entry for the value inside it that just ended.
    this.path.pop();
    frame.afterValue = true;
  }
}

/** Index just past the closing quote of the string starting at `start`, or -1 if not in `text`. */
function stringEnd(text: string, start: number): number {
  if (text[start] !== '"') throw new JsonStreamError('expected a string');
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}
