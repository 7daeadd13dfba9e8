/**
 * The two failures a step expects, each printed as one `::error::` line without a stack trace
 * (src/runner/failure.ts). Anything else is a bug of ours: "Unexpected error: ...".
 */

/** An error the user can fix: bad input, a missing file, an unavailable version. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The machine or a service failed, not the user's input: a download that kept failing, an
 * archive that would not install, a venv that could not be created. Re-running may help.
 */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

/** What an error says, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
