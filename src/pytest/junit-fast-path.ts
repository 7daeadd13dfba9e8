/**
 * Fast path of the JUnit reader. In a pytest report ~95% of the bytes are passing test cases,
 * `<testcase classname=".." name=".." file=".." line=".." time=".." />`, and a character-by-
 * character XML parser spends nearly all its time on them. The skimmer finds those elements
 * with one sticky regular expression, hands their attributes straight to the reader, and passes
 * everything else to saxes unchanged, so saxes still checks the structure and reads every
 * failure. It only takes an element it can read exactly as saxes would: pytest's attribute
 * layout (so no attribute can repeat), plain values (no entity, no tab or newline, no control
 * character), and only where the reader says a test case may appear (inside the root, not
 * inside another test case). Anything else, including whatever is inside comments, CDATA and
 * processing instructions, goes to saxes. A DOCTYPE turns the fast path off for the file.
 */

/** An attribute value that needs no decoding and that saxes would accept as is. */
const V = '([^"<&\\0-\\x1f\\ufffe\\uffff]*)';
const S = '[ \\t\\r\\n]+';
/** pytest's passing test case: xunit1 (`file`, `line`) or xunit2, in pytest's attribute order. */
const PYTEST_PASSING_CASE = new RegExp(
  `<testcase${S}classname="${V}"${S}name="${V}"(?:${S}file="${V}")?(?:${S}line="${V}")?${S}time="${V}"[ \\t\\r\\n]*/>`,
  'y',
);
/** Longer than any test case element we would want to skim; past it, saxes takes over. */
const MAX_CARRY = 64 * 1024;

/** The attributes of a skimmed test case (fixed shape: cheap to build a million times). */
export type SkimmedAttributes = {
  classname: string;
  name: string;
  file: string | undefined;
  line: string | undefined;
  time: string;
};

export interface SkimmerSink {
  /** Text for saxes, in document order. */
  write(text: string): void;
  /** Whether a test case may start here (saxes has been fed everything before this point). */
  canTakeTestcase(): boolean;
  /** A passing test case, read without saxes. */
  testcase(attributes: SkimmedAttributes): void;
}

export class PassingCaseSkimmer {
  /** Unwritten text: the start of an element that may continue in the next chunk. */
  private carry = '';
  /** Inside a comment, CDATA section or PI: the string that ends it. */
  private closer: string | undefined;
  private enabled = true;

  constructor(private readonly sink: SkimmerSink) {}

  write(chunk: string): void {
    if (!this.enabled) {
      this.sink.write(chunk);
      return;
    }
    const text = this.carry + chunk;
    this.carry = '';
    let written = 0;
    let at = 0;
    const flush = (end: number): void => {
      if (end > written) this.sink.write(text.slice(written, end));
      written = end;
    };
    for (;;) {
      if (this.closer !== undefined) {
        const end = text.indexOf(this.closer, at);
        if (end < 0) {
          // The closer may be split across chunks: keep its possible start for next time.
          const keep = Math.max(at, text.length - (this.closer.length - 1));
          flush(keep);
          this.carry = text.slice(keep);
          return;
        }
        at = end + this.closer.length;
        this.closer = undefined;
        continue;
      }
      const lt = text.indexOf('<', at);
      if (lt < 0) break;
      if (text.length - lt < 10) {
        // Too short to tell `<testcase ` or `<![CDATA[` from anything else: wait for more.
        flush(lt);
        this.carry = text.slice(lt);
        return;
      }
      const next = text.charCodeAt(lt + 1);
      if (next === 0x74 /* t */ && text.startsWith('testcase', lt + 1)) {
        flush(lt);
        if (this.sink.canTakeTestcase()) {
          PYTEST_PASSING_CASE.lastIndex = lt;
          const m = PYTEST_PASSING_CASE.exec(text);
          if (m !== null) {
            written = at = PYTEST_PASSING_CASE.lastIndex;
            this.sink.testcase({ classname: m[1], name: m[2], file: m[3], line: m[4], time: m[5] });
            continue;
          }
          if (text.indexOf('>', lt) < 0 && text.length - lt < MAX_CARRY) {
            this.carry = text.slice(lt); // the element continues in the next chunk
            return;
          }
        }
        at = lt + 1;
      } else if (next === 0x21 /* ! */) {
        if (text.startsWith('<!--', lt)) {
          this.closer = '-->';
          at = lt + 4;
        } else if (text.startsWith('<![CDATA[', lt)) {
          this.closer = ']]>';
          at = lt + 9;
        } else {
          // A DOCTYPE may declare entities: leave the rest of the file to saxes alone.
          this.enabled = false;
          flush(text.length);
          return;
        }
      } else if (next === 0x3f /* ? */) {
        this.closer = '?>';
        at = lt + 2;
      } else {
        at = lt + 1;
      }
    }
    flush(text.length);
  }

  /** Call at the end of the input: whatever was held back goes to saxes. */
  end(): void {
    if (this.carry !== '') this.sink.write(this.carry);
    this.carry = '';
  }
}
