import { setTimeout as delay } from 'node:timers/promises';
import { dailyLimitSuspected, RateLimitedError, TransferError, UnauthorizedError } from '../shared/errors';
import { rateLimitWaits, rateLimitWaitSeconds } from '../shared/metrics';
import { AccountPacing, Pacer } from './pacer';

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
    private readonly pacing: Pacer | AccountPacing,
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
    let rateLimits = 0;
    // A write is paced by its account's pacer (found by a read on the transfer's first write). Reads are not paced,
    // but a rate-limited read pauses the account's writes too once the account is known.
    const pacer = kind === 'read' ? this.#knownPacer() : await this.#pacer(signal);
    for (;;) {
      const slot = kind === 'read' ? undefined : await pacer?.take(signal, kind === 'urgent');
      try {
        const result = await request();
        if (kind !== 'read') pacer?.succeeded();
        return result;
      } catch (err) {
        if (signal?.aborted) throw err;
        const failure = this.classify(err, what);
        if (failure instanceof RateLimitedError) {
          const capAfter = this.dailyCapAfterMinutes;
          if (capAfter !== undefined && (pacer?.limitedForMs() ?? 0) >= capAfter * 60_000) throw dailyLimitSuspected(failure, capAfter);
          if (waited > MAX_RATE_LIMIT_WAIT_MS) throw failure;
          const wait = pacer ? pacer.rateLimited(failure.retryAfterMs, slot) : (failure.retryAfterMs ?? 1000 * 2 ** Math.min(5, rateLimits++));
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

  #knownPacer(): Pacer | undefined {
    return this.pacing instanceof Pacer ? this.pacing : this.pacing.known();
  }

  #pacer(signal?: AbortSignal): Promise<Pacer> {
    if (this.pacing instanceof Pacer) return Promise.resolve(this.pacing);
    return this.pacing.pacer((what, request) => this.run(what, 'read', request, signal));
  }
}
