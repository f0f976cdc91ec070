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

/** The worker cannot open the transfer's sealed refresh token (its SECRET_KEY is not among the worker's keys). */
export const REFRESH_TOKEN_UNREADABLE = 'refresh_token_unreadable';

/**
 * Failures about the account or the transfer's credentials, not the photo: every further photo would fail the
 * same way, so the workflow stops instead of trying each one. Providers choose their codes; this list is where
 * they say which are fatal.
 */
export const ACCOUNT_WIDE_CODES: ReadonlySet<string> = new Set([
  REFRESH_TOKEN_UNREADABLE,
  'auth_revoked',
  'auth_rejected',
  'drive_storage_full',
  'drive_scope_missing',
  'drive_domain_policy',
  'drive_daily_limit',
  'yadisk_storage_full',
  'yadisk_account_unsupported',
]);

/**
 * What the destination stored is not what we sent. The provider removes the bad copy, and the target reserved
 * for the photo counts as spent: a support retry reserves a fresh one.
 */
export const VERIFICATION_FAILED = 'verification_failed';

/**
 * Something this transfer did not write (a folder, another file) already holds the photo's place at the
 * destination. It is left alone, and the photo counts as failed: deleting it could destroy the user's data.
 */
export const NAME_CONFLICT = 'name_conflict';

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

/** The provider rejected the access token: refresh it once and try again; a second refusal is final. */
export class UnauthorizedError extends TransferError {
  override name = 'UnauthorizedError';

  constructor(code: string, message: string) {
    super(code, message, true);
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
