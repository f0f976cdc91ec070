import { setTimeout as delay } from 'node:timers/promises';
import { dailyLimitSuspected, RateLimitedError, TransferError, UnauthorizedError } from '../shared/errors';
import { rateLimitWaits, rateLimitWaitSeconds } from '../shared/metrics';
import type { Pacer } from './pacer';

/** How long one call keeps waiting out rate limits before it gives up and spends an attempt. */
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;
const TRANSIENT_RETRIES = 4;

/** Turns whatever a provider's client threw into the shared vocabulary (see src/shared/errors.ts). */
export type Classifier = (err: unknown, what: string) => TransferError;

/**
 * Runs one provider request with the policy every call shares: writes are paced, rate limits are waited out
 * (not counted against the photo), a rejected token is refreshed once, and transient failures are retried a few
 * times with backoff. Only for idempotent requests — providers make theirs so (reserved ids, paths + verify).
 */
export class ProviderCaller {
  constructor(
    private readonly auth: { invalidate(): void },
    private readonly pacer: Pacer,
    private readonly classify: Classifier,
    /**
     * Rate limits for this long without a successful write of the account count as a daily cap
     * (QUOTA_PARK_AFTER_MINUTES): some caps answer exactly like throttling. Unset: never.
     */
    private readonly dailyCapAfterMinutes?: number,
  ) {}

  /** `urgent`: a write other writes wait for (an album folder before its photos), paced ahead of them. */
  async run<T>(what: string, kind: 'read' | 'write' | 'urgent', request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let refreshed = false;
    let transient = 0;
    let waited = 0;
    for (;;) {
      if (kind !== 'read') await this.pacer.take(signal, kind === 'urgent');
      try {
        const result = await request();
        this.pacer.succeeded();
        return result;
      } catch (err) {
        if (signal?.aborted) throw err;
        const failure = this.classify(err, what);
        if (failure instanceof RateLimitedError) {
          const capAfter = this.dailyCapAfterMinutes;
          if (capAfter !== undefined && this.pacer.limitedForMs() >= capAfter * 60_000) throw dailyLimitSuspected(failure, capAfter);
          if (waited > MAX_RATE_LIMIT_WAIT_MS) throw failure;
          const wait = this.pacer.rateLimited(failure.retryAfterMs);
          waited += wait;
          rateLimitWaits.inc();
          rateLimitWaitSeconds.inc(wait / 1000);
          await delay(wait, undefined, { signal });
          continue;
        }
        if (failure instanceof UnauthorizedError && !refreshed) {
          refreshed = true;
          this.auth.invalidate();
          continue;
        }
        // A daily cap does not lift in seconds: the transfer parks instead (or, before parking, retries the unit).
        if (failure.retryable && !failure.dailyCap && transient < TRANSIENT_RETRIES) {
          await delay(500 * 2 ** transient++, undefined, { signal });
          continue;
        }
        throw failure;
      }
    }
  }
}
