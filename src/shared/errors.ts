/**
 * Errors of a transfer as typed values. Every failure the activities see is turned into one of these, so one
 * predicate (`retryable`) decides what Temporal retries, and `message` is written for the support person who
 * reads it in `failedFiles` or the Web UI. Messages never contain tokens or signed URLs.
 */
export class TransferError extends Error {
  override name = 'TransferError';

  constructor(
    /** Stable machine code, e.g. `source_not_found`, `drive_storage_full`. Becomes the Temporal failure type. */
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * The provider asked us to slow down. Not the photo's fault: callers wait and try again without spending one
 * of the photo's attempts.
 */
export class RateLimitedError extends TransferError {
  override name = 'RateLimitedError';

  constructor(message: string, readonly retryAfterMs: number | undefined) {
    super('rate_limited', message, true);
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
