import { setTimeout as delay } from 'node:timers/promises';

/**
 * Paces writes to one destination account: a token bucket at the provider's sustained rate, plus a shared
 * pause when the provider says "slow down", so every upload of that account waits instead of all of them
 * hammering the limit. Per process; with several workers each paces its own share.
 */
export class Pacer {
  #tokens: number;
  #last = Date.now();
  #pausedUntil = 0;
  #strikes = 0;
  #urgentWaiting = 0;
  /** Since when every answer was "slow down" (the first of them since the last success); null after a success. */
  #limitedSince: number | null = null;
  /** Current rate: eased down on each rate-limit answer, back up to the configured rate on success. */
  #rate: number;

  /**
   * 2 % under the configured rate: requests leave here evenly spaced but reach the provider a few ms apart more
   * or less (a busy event loop, the network), and a limit enforced to the millisecond rejects the early ones.
   */
  readonly #ceiling: number;

  constructor(private readonly ratePerSecond: number, private readonly burst: number) {
    this.#tokens = burst;
    this.#ceiling = ratePerSecond * 0.98;
    this.#rate = this.#ceiling;
  }

  get rate(): number {
    return this.#rate;
  }

  /** How long the account's writes have met only rate limits (0 while one succeeds now and then). */
  limitedForMs(): number {
    return this.#limitedSince === null ? 0 : Date.now() - this.#limitedSince;
  }

  /**
   * Waits for a write slot. An urgent write (one that others wait for: an album before its photos) goes first:
   * while one waits, regular writes leave the slots to it.
   */
  async take(signal?: AbortSignal, urgent = false): Promise<void> {
    if (urgent) this.#urgentWaiting++;
    try {
      for (;;) {
        const now = Date.now();
        if (now < this.#pausedUntil) {
          await delay(this.#pausedUntil - now, undefined, { signal });
          continue;
        }
        this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
        this.#last = now;
        const yieldToUrgent = !urgent && this.#urgentWaiting > 0;
        if (this.#tokens >= 1 && !yieldToUrgent) {
          this.#tokens -= 1;
          return;
        }
        await delay(Math.ceil((Math.max(1 - this.#tokens, yieldToUrgent ? 1 : 0) / this.#rate) * 1000), undefined, { signal });
      }
    } finally {
      if (urgent) this.#urgentWaiting--;
    }
  }

  /**
   * Called on a rate-limit answer. A lone answer between successes means one request arrived a little early:
   * it costs one pacing interval and nothing more. Answers in a row mean the limit is lower than we think: each
   * eases the rate down 5%, and from the third on they back off exponentially (1, 2, 4 … 32 s, jittered).
   * Retry-After wins when given.
   */
  rateLimited(retryAfterMs?: number): number {
    this.#limitedSince ??= Date.now();
    this.#strikes = Math.min(this.#strikes + 1, 9);
    if (this.#strikes > 1) this.#rate = Math.max(this.ratePerSecond * 0.25, this.#rate * 0.95);
    const interval = 1000 / this.#rate;
    const backoff = this.#strikes <= 2 ? interval : Math.min(32_000, 1000 * 2 ** (this.#strikes - 3)) + Math.floor(Math.random() * 250);
    const wait = retryAfterMs ?? backoff;
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + wait);
    this.#tokens = 0;
    return wait;
  }

  succeeded(): void {
    this.#limitedSince = null;
    this.#strikes = 0;
    this.#rate = Math.min(this.#ceiling, this.#rate * 1.002);
  }
}

/** One pacer per account key, forgotten when idle. */
export class PacerRegistry {
  readonly #pacers = new Map<string, { pacer: Pacer; used: number }>();

  constructor(private readonly ratePerSecond: number, private readonly burst: number) {}

  get(key: string): Pacer {
    const now = Date.now();
    for (const [k, v] of this.#pacers) if (now - v.used > 10 * 60_000) this.#pacers.delete(k);
    let entry = this.#pacers.get(key);
    if (!entry) {
      entry = { pacer: new Pacer(this.ratePerSecond, this.burst), used: now };
      this.#pacers.set(key, entry);
    }
    entry.used = now;
    return entry.pacer;
  }
}
