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

  constructor(private readonly ratePerSecond: number, private readonly burst: number) {
    this.#tokens = burst;
  }

  /** Waits for a write slot. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now < this.#pausedUntil) {
        await delay(this.#pausedUntil - now, undefined, { signal });
        continue;
      }
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await delay(Math.ceil(((1 - this.#tokens) / this.ratePerSecond) * 1000), undefined, { signal });
    }
  }

  /**
   * Called on a rate-limit answer: pause all writes for Retry-After if given, else for a growing,
   * jittered delay (1, 2, 4 … 32 s), and drop the saved-up burst.
   */
  rateLimited(retryAfterMs?: number): number {
    this.#strikes = Math.min(this.#strikes + 1, 6);
    const wait = retryAfterMs ?? Math.min(32_000, 1000 * 2 ** (this.#strikes - 1)) + Math.floor(Math.random() * 250);
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + wait);
    this.#tokens = 0;
    return wait;
  }

  succeeded(): void {
    this.#strikes = 0;
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
