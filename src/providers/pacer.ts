import { setTimeout as delay } from 'node:timers/promises';
import { AimdRate, type AimdSettings } from './aimd';
import { IDLE_MS } from './per-transfer';

/**
 * Paces writes to one destination account: a token bucket at the account's rate as found so far (aimd.ts: from
 * the safe rate up while writes succeed, down on a rate-limit answer), plus a shared pause when the provider says
 * "slow down", so every upload of that account waits instead of all of them hammering the limit. Per process; with
 * several workers each finds and paces its own share (see the README).
 */
/** A write slot handed out: when, and whether it left closer than one interval after the previous (a burst). */
export interface Slot {
  at: number;
  bunched: boolean;
}

export class Pacer {
  #tokens: number;
  #lastSlot = 0;
  /** The configured burst, until the account refuses a write sent in one: then 1 (it takes no bursts of ours). */
  #burst: number;
  #last = Date.now();
  #pausedUntil = 0;
  #strikes = 0;
  #urgentWaiting = 0;
  readonly #aimd: AimdRate;
  /** Since when every answer was "slow down" (the first of them since the last success); null after a success. */
  #limitedSince: number | null = null;

  /** A number: a fixed pace (2 % under it), never probing above; settings: found from `start` up to `max`. */
  constructor(rate: number | AimdSettings, burst: number) {
    this.#tokens = burst;
    this.#burst = burst;
    this.#aimd = new AimdRate(typeof rate === 'number' ? { start: rate, max: rate, step: 1 } : rate);
  }

  get rate(): number {
    return this.#aimd.rate;
  }

  /** How long the account's writes have met only rate limits (0 while one succeeds now and then). */
  limitedForMs(): number {
    return this.#limitedSince === null ? 0 : Date.now() - this.#limitedSince;
  }

  /**
   * Waits for a write slot. An urgent write (one that others wait for: an album before its photos) goes first:
   * while one waits, regular writes leave the slots to it.
   */
  async take(signal?: AbortSignal, urgent = false): Promise<Slot> {
    if (urgent) this.#urgentWaiting++;
    try {
      for (;;) {
        const now = Date.now();
        if (now < this.#pausedUntil) {
          await delay(this.#pausedUntil - now, undefined, { signal });
          continue;
        }
        this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
        this.#last = now;
        const yieldToUrgent = !urgent && this.#urgentWaiting > 0;
        if (this.#tokens >= 1 && !yieldToUrgent) {
          this.#tokens -= 1;
          const bunched = now - this.#lastSlot < 900 / this.rate;
          this.#lastSlot = now;
          return { at: now, bunched };
        }
        await delay(Math.ceil((Math.max(1 - this.#tokens, yieldToUrgent ? 1 : 0) / this.rate) * 1000), undefined, { signal });
      }
    } finally {
      if (urgent) this.#urgentWaiting--;
    }
  }

  /**
   * Called on a rate-limit answer to a write sent in `slot` (none: a read). A write refused as part of a burst says
   * the account takes no bursts, not that the pace is too high: bursts stop, the pace stays. Otherwise whether the
   * pace is cut is aimd.ts's rule. The wait: a lone answer, or the second in a row, costs one pacing interval; from
   * the third in a row they back off exponentially (1, 2, 4 … 32 s, jittered). Retry-After wins when given.
   */
  rateLimited(retryAfterMs?: number, slot?: Slot): number {
    const now = Date.now();
    this.#limitedSince ??= now;
    this.#strikes = Math.min(this.#strikes + 1, 9);
    if (slot?.bunched && this.#burst > 1) this.#burst = 1;
    else this.#aimd.rateLimited(now, slot?.at);
    const interval = 1000 / this.rate;
    const backoff = this.#strikes <= 2 ? interval : Math.min(32_000, 1000 * 2 ** (this.#strikes - 3)) + Math.floor(Math.random() * 250);
    const wait = retryAfterMs ?? backoff;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + wait);
    this.#tokens = 0;
    return wait;
  }

  succeeded(): void {
    this.#limitedSince = null;
    this.#strikes = 0;
    this.#aimd.succeeded();
  }
}

/**
 * One pacer per account in this process, shared by every transfer to that account, so two galleries saved to one
 * account at once share its rate instead of each taking it whole. Forgotten when idle as long as a transfer's
 * cache (per-transfer.ts): the rate found for an account lives as long as a transfer to it is going on here.
 */
export class PacerRegistry {
  readonly #pacers = new Map<string, { pacer: Pacer; used: number }>();

  constructor(private readonly settings: AimdSettings, private readonly burst: number) {}

  get(key: string): Pacer {
    const now = Date.now();
    for (const [k, v] of this.#pacers) if (now - v.used > IDLE_MS) this.#pacers.delete(k);
    let entry = this.#pacers.get(key);
    if (!entry) {
      entry = { pacer: new Pacer(this.settings, this.burst), used: now };
      this.#pacers.set(key, entry);
    }
    entry.used = now;
    return entry.pacer;
  }
}

/** A read sent with the caller's policy (token refresh, rate limits waited out, transient retries). */
export type Read = <T>(what: string, request: () => Promise<T>) => Promise<T>;

/** Asks the destination for its stable account id (never a token: it may key maps, it is not logged). */
export type AccountLookup = (read: Read) => Promise<string>;

/**
 * A transfer's pacer: its account's, found by one read on the transfer's first write in this process (kept per
 * transfer, per-transfer.ts). Without a lookup (Google Photos has no account endpoint under its scopes) the
 * transfer is paced on its own. A failed lookup fails that write as the read failed, and is asked again next time.
 */
export class AccountPacing {
  #account: Promise<string> | undefined;
  #key: string;

  constructor(
    private readonly registry: PacerRegistry,
    transferId: string,
    private readonly lookup?: AccountLookup,
  ) {
    this.#key = `transfer:${transferId}`;
  }

  async pacer(read: Read): Promise<Pacer> {
    const lookup = this.lookup;
    if (!lookup) return this.registry.get(this.#key);
    this.#account ??= lookup(read).then(
      (account) => (this.#key = `account:${account}`),
      (err: unknown) => {
        this.#account = undefined;
        throw err;
      },
    );
    // Asked of the registry on every write: that keeps the account's entry (and the rate found) from going idle.
    return this.registry.get(await this.#account);
  }

  /** The pacer if the account is known already (a rate-limited read pauses the account's writes too). */
  known(): Pacer | undefined {
    return this.lookup && !this.#key.startsWith('account:') ? undefined : this.registry.get(this.#key);
  }
}
