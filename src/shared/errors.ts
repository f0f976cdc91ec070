/**
 * Errors of a transfer as typed values. Every failure the activities see is turned into one of these, so one
 * predicate (`retryable`) decides what Temporal retries, and `message` is written for the support person who
 * reads it in `failedFiles` or the Web UI. Messages never contain tokens or signed URLs.
 */
export class TransferError extends Error {
  override name = 'TransferError';
  /**
   * About the account or the transfer's credentials, not the photo (storage full, access revoked): every further
   * photo would fail the same way, so the workflow stops instead of trying each one. Set by the destination's
   * classifier, which alone knows its codes.
   */
  readonly accountWide: boolean;
  /**
   * The photo's reserved target cannot be written again (Drive: the wrong copy was deleted, and a deleted id is
   * never reusable): a support retry reserves a fresh one.
   */
  readonly targetSpent: boolean;
  /**
   * A daily cap of the destination is reached (Drive's 750 GB of uploads per user, Photos' project-wide request
   * quota): nothing gets written until it resets, so the transfer parks instead of spending attempts. `resumesAt`
   * when the destination publishes its reset time (ISO), null when it does not (the worker probes later).
   */
  readonly dailyCap: { resumesAt: string | null } | null;

  constructor(
    /** Stable machine code, e.g. `source_not_found`, `drive_storage_full`. Becomes the Temporal failure type. */
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    facts: { accountWide?: boolean; targetSpent?: boolean; dailyCap?: { resumesAt: string | null } | null } = {},
  ) {
    super(message);
    this.accountWide = facts.accountWide ?? false;
    this.targetSpent = facts.targetSpent ?? false;
    this.dailyCap = facts.dailyCap ?? null;
  }
}

/**
 * Rate limits answered for this long with no write of the account succeeding in between: taken as a daily cap
 * whose answer looks like ordinary throttling (Drive's 750 GB a day: `403 userRateLimitExceeded`).
 */
export const DAILY_LIMIT_SUSPECTED = 'daily_limit_suspected';

export function dailyLimitSuspected(failure: TransferError, minutes: number): TransferError {
  const text = `no write succeeded for ${minutes} minute(s) of rate limits (${failure.message}): taken as the destination's daily limit`;
  return new TransferError(DAILY_LIMIT_SUSPECTED, text, true, { dailyCap: { resumesAt: null } });
}

/** The worker cannot open the transfer's sealed refresh token (its SECRET_KEY is not among the worker's keys). */
export const REFRESH_TOKEN_UNREADABLE = 'refresh_token_unreadable';

/**
 * The account-wide codes as they were before destinations flagged their errors (TransferError.accountWide).
 * Frozen: only for outcomes that carry no flag — recorded in histories and continued-as-new state from before the
 * flag, and units that failed as a whole (see src/workflows/failure-facts.ts). A new destination sets the flag.
 */
export const LEGACY_ACCOUNT_WIDE_CODES: ReadonlySet<string> = new Set([
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
 * What the destination stored is not what we sent. The provider removes the bad copy (only one it can tell it
 * wrote); whether the photo's target is spent by that is the destination's to say (TransferError.targetSpent).
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
