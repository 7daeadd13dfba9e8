/**
 * An error the user can fix: bad input, a missing file, an unavailable version. The entry point
 * prints its message as one `::error::` line and fails the step, without a stack trace.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** What an error says, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
