/**
 * Streaming JUnit reader. Reads one or more JUnit XML files (pytest's, or any tool's) in chunks
 * with saxes and keeps only counts, a bounded list of failures and the N slowest tests, so memory
 * does not grow with the number of passing tests. Several files (shards) merge into one result.
 *
 * Outcomes are counted as pytest's closing line counts them, not one per <testcase>: each
 * <failure>, <error> and <skipped> element is one outcome (pytest 9 writes one <failure> per
 * failed subtest inside the test's element, and a second element for a test that failed and
 * then errored in teardown), and a test whose call passed counts as passed even when its
 * teardown then errored. `tests` is the sum of the outcomes, as pytest's line adds up.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { errorMessage, InputError } from '../runner/errors.js';
import { PassingCaseSkimmer } from './junit-fast-path.js';
import { pytestNodeId } from './node-id.js';
import type { TestFailure, TestResult } from './result.js';
import { SlowestTests } from './slowest.js';
import { BoundedText, failureLineInFile } from './traceback.js';

export interface JUnitReadOptions {
  /** Failures and errors kept for display (default 50); the rest are only counted. */
  maxFailures?: number;
  /** Characters of each traceback kept (default 4000; head and tail, middle elided). */
  maxDetailChars?: number;
  /** How many of the slowest tests to keep (default 10). */
  slowest?: number;
  /** Ids of flaky tests (marked `pyci-rerun`) kept (default 1000); the rest are only counted. */
  maxFlaky?: number;
  /** Ids of failed or errored tests kept, without details (default 5000); the rest are only counted. */
  maxFailingIds?: number;
  /** Called once per test case with its node id and duration; only set when timings are wanted. */
  onTestCase?: (id: string, seconds: number) => void;
  /** @internal Tests and benchmarks: turn the fast path off, or read in smaller chunks. */
  fastPath?: boolean;
  /** @internal */
  chunkBytes?: number;
}

/** A JUnit file that cannot be read: missing, empty, not XML, truncated, or not JUnit at all. */
export class JUnitParseError extends InputError {
  /** Set on syntax errors found without position tracking: a second pass can locate them. */
  locatable = false;

  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    const where = line === undefined ? '' : ` at line ${line}, column ${column}`;
    super(
      `Cannot read the JUnit report ${file}${where}: ${reason}. ` +
        'Check that the file is a complete JUnit XML report (a run that was killed or ran out of ' +
        'disk can leave it truncated).',
    );
    this.name = 'JUnitParseError';
  }
}

const DEFAULTS = {
  maxFailures: 50,
  maxDetailChars: 4000,
  slowest: 10,
  maxFlaky: 1000,
  maxFailingIds: 5000,
  fastPath: true,
};
/**
 * 64 KiB reads: as fast as 1 MiB ones here, but the strings saxes slices out of each chunk keep
 * it alive until a major GC, so bigger chunks cost ~80 MB more peak RSS on a 1M-case file.
 */
const CHUNK_BYTES = 1 << 16;
const MESSAGE_CHARS = 2000;
/** pytest nests 4 levels (testsuites, testsuite, testcase, failure); no report needs 64. */
const MAX_DEPTH = 64;
/** A duration past this (over 115 days) is nonsense, e.g. `time="1e308"`: counted as unknown (0). */
const MAX_SECONDS = 1e7;
/** pytest's message for an error in a fixture's teardown (the test's call ran before it). */
const TEARDOWN_ERROR = 'failed on teardown';
/** Ids of failed or errored cases remembered to spot pytest's second element; bounds memory. */
const MAX_REMEMBERED_IDS = 100_000;
/** The property our rerun merge puts on a test's passing run (pyci_pytest_plugin.py). */
const RERUN_PROPERTY = 'pyci-rerun';

/** Reads and merges the JUnit reports at `paths` (in order) into one TestResult. */
export async function readJUnitReports(
  paths: string[],
  options: JUnitReadOptions = {},
): Promise<TestResult> {
  const tally = new Tally({ ...DEFAULTS, ...withoutUndefined(options) }, options.onTestCase);
  for (const path of paths) {
    try {
      // saxes runs ~15% faster without tracking line and column...
      await readOneReport(path, tally, false, options.chunkBytes ?? CHUNK_BYTES);
    } catch (error) {
      // ...so a bad file is read a second time, with tracking, to say where it went wrong.
      if (!(error instanceof JUnitParseError) || !error.locatable) throw error;
      await readOneReport(path, new Tally(tally.limits, undefined), true, CHUNK_BYTES);
      throw error;
    }
  }
  return tally.result();
}

/** Counts and kept details across all files. */
class Tally {
  passed = 0;
  failed = 0;
  errors = 0;
  skipped = 0;
  durationSeconds = 0;
  readonly failures: TestFailure[] = [];
  failuresOmitted = 0;
  readonly slowest: SlowestTests;
  /** Distinct ids of test cases that passed on a rerun, bounded by limits.maxFlaky. */
  readonly flaky = new Set<string>();
  flakyOmitted = 0;
  /** Distinct ids of every failed or errored case (details or not), bounded by limits.maxFailingIds. */
  readonly failingIds = new Set<string>();
  failingOmitted = 0;

  constructor(
    readonly limits: typeof DEFAULTS,
    readonly onTestCase: ((id: string, seconds: number) => void) | undefined,
  ) {
    this.slowest = new SlowestTests(limits.slowest);
  }

  result(): TestResult {
    return {
      tests: this.passed + this.failed + this.errors + this.skipped,
      passed: this.passed,
      failed: this.failed,
      errors: this.errors,
      skipped: this.skipped,
      durationSeconds: roundMillis(this.durationSeconds),
      failures: this.failures,
      failuresOmitted: this.failuresOmitted,
      slowest: this.slowest.sorted(),
      ...(this.flaky.size + this.flakyOmitted > 0
        ? { flaky: { ids: [...this.flaky], omitted: this.flakyOmitted } }
        : {}),
      failing: { ids: [...this.failingIds], omitted: this.failingOmitted },
    };
  }

  /** A failed or errored case: its id is listed once, across files, up to the bound. */
  addFailing(id: string): void {
    if (this.failingIds.has(id)) return;
    if (this.failingIds.size < this.limits.maxFailingIds) this.failingIds.add(id);
    else this.failingOmitted++;
  }

  /** A test that passed on a rerun; the same test in several files (matrix legs) counts once. */
  addFlaky(id: string): void {
    if (this.flaky.has(id)) return;
    if (this.flaky.size < this.limits.maxFlaky) this.flaky.add(id);
    else this.flakyOmitted++;
  }
}

/** The failure or error element being read, when it is one the report keeps. */
interface OpenFailure {
  kind: 'failure' | 'error';
  message: string;
  text: BoundedText;
}

/** State of the test case being read: how many outcome elements it holds. */
interface OpenCase {
  attributes: Readonly<Record<string, string | undefined>>;
  failures: number;
  errors: number;
  skips: number;
  /** An <error> that is not pytest's teardown error (setup, collection, another tool's). */
  callError: boolean;
  /** Marked by our rerun merge as the run where the test passed (property `pyci-rerun`). */
  rerun: boolean;
  id?: string;
}

function newCase(attributes: OpenCase['attributes']): OpenCase {
  return { attributes, failures: 0, errors: 0, skips: 0, callError: false, rerun: false };
}

/** Where the text of a file goes, chunk by chunk, and what to do once it is all there. */
interface TextSink {
  write(text: string): void;
  end(): void;
}

/** Reads one file into `tally`; rejects with a JUnitParseError. */
function readOneReport(
  path: string,
  tally: Tally,
  trackPosition: boolean,
  chunkBytes: number,
): Promise<void> {
  return streamFile(path, chunkBytes, new ReportReader(path, tally, trackPosition));
}

/** Feeds the file to `sink` in chunks of `chunkBytes`; an empty (or all-blank) file is an error. */
function streamFile(path: string, chunkBytes: number, sink: TextSink): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
    let empty = true;
    const fail = (error: unknown): void => {
      stream.destroy();
      reject(asParseError(error, path));
    };
    stream.on('data', (chunk) => {
      try {
        if (empty && /\S/.test(chunk as string)) empty = false;
        sink.write(chunk as string);
      } catch (error) {
        fail(error);
      }
    });
    stream.on('error', fail);
    stream.on('end', () => {
      try {
        if (empty) throw new JUnitParseError(path, 'the file is empty');
        sink.end();
        resolve();
      } catch (error) {
        reject(asParseError(error, path));
      }
    });
  });
}

/**
 * The state of one file being read: saxes's handlers per element, the nesting guard, the fast
 * path for passing cases, and the closing checks.
 */
class ReportReader implements TextSink {
  private readonly parser: SaxesParser<{ xmlns: false; position: boolean }>;
  /** Where chunks go: the fast path in front of saxes, or saxes alone. */
  private readonly input: TextSink;
  private depth = 0;
  private rootSeen = false;
  /** Depth of the outermost <testsuite>, whose times add up to the file's duration. */
  private outerSuiteDepth = -1;
  private rootTime: number | undefined;
  private suiteTime = 0;
  private suiteTimeSeen = false;
  private caseTime = 0;
  private testcase: OpenCase | undefined;
  private testcaseDepth = -1;
  private failure: OpenFailure | undefined;
  /** Name of the open test case's latest direct child (a <property> counts inside <properties>). */
  private caseChild = '';
  /** Ids of this file's cases that had a failure or error (bounded): a later element is a repeat. */
  private readonly failedIds = new Set<string>();
  private readonly collectText = (text: string): void => this.failure?.text.append(text);

  constructor(
    private readonly path: string,
    private readonly tally: Tally,
    private readonly trackPosition: boolean,
  ) {
    this.parser = new SaxesParser({ xmlns: false, position: trackPosition });
    this.parser.on('error', (error) => {
      throw this.syntaxError(error.message.replace(/^\d+:\d+: /, ''));
    });
    this.parser.on('opentag', (tag) => this.openTag(tag));
    this.parser.on('closetag', (tag) => this.closeTag(tag));
    this.parser.on('cdata', this.collectText);
    this.input = this.fastPathOrSaxes();
  }

  write(text: string): void {
    this.input.write(text);
  }

  /** The closing checks (saxes's: unclosed elements, no root), then the file's duration. */
  end(): void {
    this.input.end();
    this.parser.close();
    this.tally.durationSeconds +=
      this.rootTime ?? (this.suiteTimeSeen ? this.suiteTime : this.caseTime);
  }

  /**
   * Passing test cases skip saxes (see junit-fast-path.ts). The second pass, which only locates
   * an error, is saxes alone.
   */
  private fastPathOrSaxes(): TextSink {
    const write = (text: string): void => {
      this.parser.write(text);
    };
    if (!this.tally.limits.fastPath || this.trackPosition) return { write, end: () => {} };
    return new PassingCaseSkimmer({
      write,
      canTakeTestcase: () => this.depth > 0 && this.testcase === undefined,
      testcase: (attributes) => this.countTestcase(newCase(attributes)),
    });
  }

  private syntaxError(reason: string): JUnitParseError {
    const { parser, path } = this;
    if (this.trackPosition) return new JUnitParseError(path, reason, parser.line, parser.column);
    const error = new JUnitParseError(path, reason);
    error.locatable = true;
    return error;
  }

  private openTag(tag: SaxesTagPlain): void {
    this.enterElement();
    if (!this.rootSeen) this.checkRoot(tag);
    if (this.testcase !== undefined) this.openInsideTestcase(tag, this.testcase);
    else if (tag.name === 'testcase') this.openTestcase(tag);
    else if (tag.name === 'testsuite' && this.outerSuiteDepth < 0) this.openOuterSuite(tag);
  }

  private closeTag(tag: SaxesTagPlain): void {
    const { depth } = this;
    if (this.failure !== undefined && depth === this.testcaseDepth + 1) this.closeFailure();
    if (depth === this.testcaseDepth && tag.name === 'testcase') this.closeTestcase();
    if (depth === this.outerSuiteDepth) this.outerSuiteDepth = -1;
    this.depth--;
  }

  /** The nesting guard: pytest nests 4 levels; a report nesting deeper than 64 is refused. */
  private enterElement(): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) {
      throw this.syntaxError(`elements are nested more than ${MAX_DEPTH} levels deep`);
    }
  }

  /** The first element must be a JUnit root; a <testsuites> time is the file's duration. */
  private checkRoot(tag: SaxesTagPlain): void {
    this.rootSeen = true;
    const name = tag.name;
    if (name !== 'testsuites' && name !== 'testsuite') {
      throw this.syntaxError(`the root element is <${name}>, not <testsuites> or <testsuite>`);
    }
    if (name === 'testsuites' && tag.attributes.time !== undefined) {
      this.rootTime = seconds(tag.attributes.time);
    }
  }

  /**
   * A direct child of a test case says its outcome (<failure>, <error>, <skipped>); a
   * `pyci-rerun` property inside its <properties> marks the run where it passed on a rerun.
   * (Marked cases have children, so they never take the fast path: it stays as fast.)
   */
  private openInsideTestcase(tag: SaxesTagPlain, testcase: OpenCase): void {
    const name = tag.name;
    if (this.depth === this.testcaseDepth + 2) {
      if (name === 'property' && this.caseChild === 'properties') {
        if (tag.attributes.name === RERUN_PROPERTY) testcase.rerun = true;
      }
      return;
    }
    if (this.depth !== this.testcaseDepth + 1) return;
    this.caseChild = name;
    if (name === 'failure') {
      testcase.failures++;
      this.openFailure(name, tag.attributes);
    } else if (name === 'error') {
      testcase.errors++;
      if (!(tag.attributes.message ?? '').startsWith(TEARDOWN_ERROR)) testcase.callError = true;
      this.openFailure(name, tag.attributes);
    } else if (name === 'skipped') {
      testcase.skips++;
    }
  }

  private openTestcase(tag: SaxesTagPlain): void {
    this.testcase = newCase(tag.attributes);
    this.testcaseDepth = this.depth;
    this.caseChild = '';
  }

  private openOuterSuite(tag: SaxesTagPlain): void {
    this.outerSuiteDepth = this.depth;
    if (tag.attributes.time !== undefined) {
      this.suiteTime += seconds(tag.attributes.time);
      this.suiteTimeSeen = true;
    }
  }

  private openFailure(kind: 'failure' | 'error', attributes: Record<string, string>): void {
    const { tally } = this;
    if (tally.failures.length >= tally.limits.maxFailures) {
      tally.failuresOmitted++;
      return;
    }
    this.failure = {
      kind,
      message: (attributes.message ?? '').slice(0, MESSAGE_CHARS),
      text: new BoundedText(tally.limits.maxDetailChars),
    };
    // Text is only gathered inside kept failures: passing cases never build strings.
    this.parser.on('text', this.collectText);
  }

  private closeFailure(): void {
    this.parser.off('text');
    const open = this.failure!;
    this.failure = undefined;
    const testcase = this.testcase!;
    const a = testcase.attributes;
    const details = open.text.toString();
    const defLine = a.line === undefined ? undefined : Number(a.line) + 1;
    const crashLine = a.file ? failureLineInFile(details, a.file) : undefined;
    const line = crashLine ?? (Number.isFinite(defLine) ? defLine : undefined);
    this.tally.failures.push({
      id: caseId(testcase),
      kind: open.kind,
      ...(a.file ? { file: a.file } : {}),
      ...(line !== undefined ? { line } : {}),
      message: open.message,
      details,
      source: this.path,
    });
  }

  private closeTestcase(): void {
    const open = this.testcase!;
    this.testcase = undefined;
    this.testcaseDepth = -1;
    this.countTestcase(open);
  }

  private countTestcase(open: OpenCase): void {
    const { tally } = this;
    tally.failed += open.failures;
    tally.errors += open.errors;
    tally.skipped += open.skips;
    const callPassed = open.failures === 0 && open.skips === 0 && !open.callError;
    if (open.failures + open.errors === 0) {
      if (callPassed) tally.passed++;
    } else {
      const id = caseId(open);
      // A teardown error alone after a passed call: pytest counts the test as passed and the
      // error. After a failed call pytest writes a second element, whose test was counted.
      if (callPassed && !this.failedIds.has(id)) tally.passed++;
      if (this.failedIds.size < MAX_REMEMBERED_IDS) this.failedIds.add(id);
      // Only failing cases get here: passing ones (the fast path) never touch this list.
      tally.addFailing(id);
    }
    // As reruns.ts judges: a marked run without failure or error (a skip too) made it flaky.
    if (open.rerun && open.failures + open.errors === 0) tally.addFlaky(caseId(open));
    const time = seconds(open.attributes.time);
    this.caseTime += time;
    if (tally.onTestCase) tally.onTestCase(caseId(open), time);
    if (tally.slowest.admits(time)) tally.slowest.offer(caseId(open), time);
  }
}

/** A test case's pytest node id, built once. */
function caseId(open: OpenCase): string {
  const a = open.attributes;
  open.id ??= pytestNodeId(a.classname ?? '', a.name ?? '', a.file);
  return open.id;
}

function asParseError(error: unknown, path: string): Error {
  if (error instanceof JUnitParseError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new JUnitParseError(path, 'the file does not exist');
  if (code === 'EISDIR') return new JUnitParseError(path, 'it is a directory, not a file');
  return new JUnitParseError(path, errorMessage(error));
}

/** A `time` attribute as seconds; absent, unparsable or absurd counts as 0 rather than failing. */
function seconds(value: string | undefined): number {
  if (value === undefined) return 0;
  let parsed = Number(value);
  // Some tools write thousands separators (`1,234.5`).
  if (Number.isNaN(parsed)) parsed = Number(value.replace(/,/g, ''));
  return Number.isFinite(parsed) && parsed > 0 && parsed <= MAX_SECONDS ? parsed : 0;
}

function roundMillis(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
