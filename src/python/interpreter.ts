/** Where an interpreter came from, reported in the log and as the `python-source` output. */
export type PythonSource = 'tool-cache' | 'manifest' | 'system';

/** A Python interpreter the action will use. */
export interface Interpreter {
  /** Full version, e.g. `3.11.7`. */
  version: string;
  /** Absolute path of the python executable. */
  executable: string;
  /** Installation prefix (what setup-python exports as `pythonLocation`). */
  prefix: string;
  source: PythonSource;
  /** Tool cache spelling: x64, arm64, ... */
  architecture?: string;
  /** Why this interpreter was chosen, one sentence for the log. */
  reason: string;
}
