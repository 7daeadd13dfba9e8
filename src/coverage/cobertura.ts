/**
 * Streaming Cobertura XML reader (coverage.py's `coverage xml`, pytest-cov's --cov-report=xml,
 * and other languages' tools). Reads in chunks with saxes and hands every `<line>` of every
 * `<class>` to a LineUnion: classes sharing a filename, and several reports (shards), merge there.
 * Nothing else of the file is kept. saxes does not expand DTD entities: a report that declares
 * its own (a "billion laughs" file) fails on the first use of one, as an undefined entity.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { errorMessage, InputError } from '../runner/errors.js';
import type { LineUnion } from './line-union.js';

/** A report that cannot be read: not XML, truncated, or not Cobertura. */
export class CoberturaError extends InputError {
  constructor(file: string, reason: string) {
    super(
      `coverage-files: cannot read the Cobertura XML report ${file}: ${reason}. Check that it is a complete coverage XML report (e.g. pytest-cov's --cov-report=xml); a job that was killed or ran out of disk can leave it truncated.`,
    );
    this.name = 'CoberturaError';
  }
}

/** Where a report's `filename` is: see paths.ts reportedFileResolver. */
export type ResolveFile = (filename: string, sources: readonly string[]) => string;

/** 64 KiB reads, as the JUnit reader (bigger ones only raise peak memory). */
const CHUNK_BYTES = 1 << 16;
/** coverage.py nests 6 levels (coverage, packages, package, classes, class, lines, line). */
const MAX_DEPTH = 64;
const MAX_SOURCE_CHARS = 4096;
const MAX_SOURCES = 1000;
const MAX_LINE = 0xffffffff;

/** Reads the Cobertura reports at `paths` into `union`. */
export async function readCobertura(
  paths: string[],
  union: LineUnion,
  resolveFile: ResolveFile,
  chunkBytes = CHUNK_BYTES,
): Promise<void> {
  for (const path of paths) {
    const reader = new CoberturaReader(union, resolveFile);
    try {
      let empty = true;
      for await (const chunk of createReadStream(path, {
        encoding: 'utf8',
        highWaterMark: chunkBytes,
      })) {
        if (empty && /\S/.test(chunk as string)) empty = false;
        reader.write(chunk as string);
      }
      if (empty) throw new Error('the file is empty');
      reader.end();
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new CoberturaError(path, errorMessage(error));
    }
  }
}

/** One report being read: the sources seen, the class being read, the nesting guard. */
export class CoberturaReader {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private depth = 0;
  private rootSeen = false;
  private readonly sources: string[] = [];
  private source: string | undefined;
  /** The class being read (its repository path), and the depth of its element. */
  private file: string | undefined;
  private classDepth = -1;
  /** Inside a class's <methods>: their lines repeat the class's own. */
  private inMethods = false;

  constructor(
    private readonly union: LineUnion,
    private readonly resolveFile: ResolveFile,
  ) {
    this.parser.on('error', (error) => {
      throw new Error(this.where(error.message.replace(/^\d+:\d+: /, '')));
    });
    this.parser.on('opentag', (tag) => this.openTag(tag));
    this.parser.on('closetag', (tag) => this.closeTag(tag));
    this.parser.on('text', (text) => {
      if (this.source !== undefined && this.source.length < MAX_SOURCE_CHARS)
        this.source += text.slice(0, MAX_SOURCE_CHARS - this.source.length);
    });
  }

  write(text: string): void {
    this.parser.write(text);
  }

  end(): void {
    try {
      this.parser.close();
    } catch (error) {
      throw new Error(`the XML ends before it is complete: ${errorMessage(error)}`);
    }
    if (!this.rootSeen) throw new Error('there is no <coverage> element');
  }

  private where(reason: string): string {
    return `${reason} (line ${this.parser.line}, column ${this.parser.column})`;
  }

  private openTag(tag: SaxesTagPlain): void {
    if (++this.depth > MAX_DEPTH)
      throw new Error(this.where(`elements are nested more than ${MAX_DEPTH} levels deep`));
    if (!this.rootSeen) {
      this.rootSeen = true;
      if (tag.name !== 'coverage')
        throw new Error(`the root element is <${tag.name}>, not <coverage>`);
      return;
    }
    if (this.file === undefined) {
      if (tag.name === 'source') this.source = '';
      else if (tag.name === 'class') this.openClass(tag);
    } else if (tag.name === 'methods') this.inMethods = true;
    else if (tag.name === 'line' && !this.inMethods) this.readLine(tag, this.file);
  }

  private closeTag(tag: SaxesTagPlain): void {
    if (tag.name === 'source' && this.source !== undefined) {
      const source = this.source.trim();
      if (source !== '' && this.sources.length < MAX_SOURCES) this.sources.push(source);
      this.source = undefined;
    } else if (tag.name === 'methods') this.inMethods = false;
    else if (this.depth === this.classDepth) {
      this.union.settle(this.file!);
      this.file = undefined;
      this.classDepth = -1;
    }
    this.depth--;
  }

  private openClass(tag: SaxesTagPlain): void {
    const filename = tag.attributes.filename;
    if (!filename) throw new Error(this.where('a <class> has no filename attribute'));
    this.file = this.resolveFile(filename, this.sources);
    this.classDepth = this.depth;
    this.union.file(this.file);
  }

  private readLine(tag: SaxesTagPlain, file: string): void {
    const { number, hits, branch } = tag.attributes;
    const line = Number(number);
    if (!Number.isInteger(line) || line < 1 || line > MAX_LINE)
      throw new Error(this.where(`a <line> has number="${number?.slice(0, 20)}"`));
    const count = Number(hits ?? '0');
    if (!(count >= 0)) throw new Error(this.where(`a <line> has hits="${hits?.slice(0, 20)}"`));
    // condition-coverage="50% (1/2)": exits taken of the line's exits.
    const exits =
      branch === 'true'
        ? /\((\d+)\/(\d+)\)/.exec(tag.attributes['condition-coverage'] ?? '')
        : null;
    this.union.line(
      file,
      line,
      count > 0,
      exits ? { taken: Number(exits[1]), total: Number(exits[2]) } : undefined,
    );
  }
}
