/** One failed or errored test case, as much as the report shows of it. */
export interface TestFailure {
  /** pytest node id when it can be rebuilt (`tests/test_x.py::TestA::test_b[1]`), else classname::name. */
  id: string;
  kind: 'failure' | 'error';
  /** Path as the JUnit file gives it (relative to pytest's rootdir), when known. */
  file?: string;
  line?: number;
  /** The one-line message (`message` attribute). */
  message: string;
  /** Traceback text (element body), possibly truncated. */
  details: string;
  /** The JUnit file it was read from (several files: a shard or a matrix leg each). */
  source?: string;
}

export interface SlowTest {
  id: string;
  seconds: number;
}

/** What the JUnit reader hands to the report and gate stages. */
export interface TestResult {
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  durationSeconds: number;
  /** Failures and errors kept for display, at most the reader's bound. */
  failures: TestFailure[];
  /** How many failures/errors were counted but not kept. */
  failuresOmitted: number;
  /** The slowest test cases, longest first (bounded). */
  slowest: SlowTest[];
  /**
   * Tests the report marks as passed on a rerun (property `pyci-rerun`, written when reruns merge
   * their reports): distinct ids, at most the reader's bound, and how many more there were.
   * Absent when the report has none.
   */
  flaky?: { ids: string[]; omitted: number };
  /**
   * Node ids of every failed or errored test case (not only those kept in `failures`): distinct,
   * at most the reader's bound, and how many more failing cases there were. The base-branch
   * comparison uses them. Set by the JUnit reader; results built by hand may leave it out.
   */
  failing?: { ids: string[]; omitted: number };
}
