/**
 * The write rate of one destination account, found rather than configured: providers do not publish the per-user
 * write rate (Google's differs between accounts), so the pace starts at the configured safe rate and is raised
 * while writes succeed (additive increase) and cut on a rate-limit answer (multiplicative decrease). Pure: the
 * clock is passed in, so the rule is unit-tested without waiting.
 */
export interface AimdSettings {
  /** The safe rate (writes/s) the pace starts from: the configured `…_WRITES_PER_SECOND`. */
  start: number;
  /** Never above this (writes/s); at `start` the pace is fixed (no probing). */
  max: number;
  /** Writes/s added per second of successful writes (each success adds step / rate). */
  step: number;
}

/**
 * 2 % under the rate: requests leave evenly spaced but reach the provider a few ms apart more or less (a busy event
 * loop, the network), and a limit enforced to the millisecond rejects the early ones.
 */
export const MARGIN = 0.98;
/** Cut on an answer: the known limit is the rate just refused, so the pace is back under it within a second. */
const DECREASE = 0.85;
/** Never below this share of the safe rate (answers in a long row mean Retry-After or backoff does the waiting). */
const FLOOR = 0.25;
/**
 * After an answer the pace stays under the rate refused for this many successful writes before probing above it
 * again; each probe refused doubles it. A probe costs about one write slot (the refused request's, and the dip):
 * one per 300 writes is 0.3 % at any rate, while a limit that rose, or one refused a little early (a request
 * arriving a few ms early makes the limit look lower than it is), is found again within minutes.
 */
const FIRST_HOLD_WRITES = 300;
const MAX_HOLD_WRITES = 4800;
/**
 * An answer after this many successes at a held pace is one early arrival (jitter), not a lower limit: up to 5 %
 * of writes answered early (a loaded machine, the network) do not wear the pace down.
 */
const QUIET_SUCCESSES = 20;
/**
 * Once the account has refused a write its limit is roughly known, and the pace rises at most 1 % per successful
 * write: a probe then steps over the limit by a little, and a climb back after a cut stops under it, instead of
 * rising by step / rate per write (at 3 writes/s and a step of 1, 11 % a write), which met the limit again within
 * a write or two of every cut and wore the held pace down answer by answer (B2: 9 answers, 1.114 × the floor).
 */
const NEAR_LIMIT_RISE = 0.01;

export type Verdict = 'early' | 'decreased' | 'stale';

export class AimdRate {
  #rate: number;
  /** The rate last refused; Infinity until one is. */
  #limit = Infinity;
  #holdLeft = 0;
  #hold = FIRST_HOLD_WRITES;
  #successes = QUIET_SUCCESSES;
  /** When the pace was last cut: answers to requests sent before then were answers to the old pace. */
  #decreasedAt = -Infinity;
  /** The account has refused a write of ours since this pace started. */
  #refusedOnce = false;

  constructor(private readonly s: AimdSettings) {
    this.#rate = s.start * MARGIN;
  }

  get rate(): number {
    return this.#rate;
  }

  /** The rate last refused (Infinity: none yet, or the account has since been seen above it). */
  get limit(): number {
    return this.#limit;
  }

  succeeded(): void {
    this.#successes++;
    const held = this.#holdLeft > 0 ? this.#limit * MARGIN : Infinity;
    if (this.#holdLeft > 0) this.#holdLeft--;
    const cap = Math.min(this.s.max * MARGIN, held);
    const rise = Math.min(this.s.step / this.#rate, this.#refusedOnce ? this.#rate * NEAR_LIMIT_RISE : Infinity);
    if (this.#rate < cap) this.#rate = Math.min(cap, this.#rate + rise);
    // Well past the rate once refused without an answer: the account allows more now; probe freely again.
    if (this.#rate > this.#limit * 1.1) {
      this.#limit = Infinity;
      this.#hold = FIRST_HOLD_WRITES;
    }
  }

  /**
   * A rate-limit answer to a request sent at `sentAt`. 'stale': it was sent before the last cut (the cut already
   * answered for it); 'early': a lone answer at a pace held under a known limit (one request arrived a little
   * early: no change); 'decreased': the pace was above what the account allows, and is cut.
   */
  rateLimited(now: number, sentAt: number = now): Verdict {
    if (sentAt < this.#decreasedAt) return 'stale';
    const quiet = this.#successes >= QUIET_SUCCESSES;
    this.#successes = 0;
    if (this.#held() && quiet) return 'early';
    // A refused probe doubles the next hold; a held pace found too high keeps it (the limit moved, not our guess).
    const probing = !this.#held();
    this.#limit = this.#rate;
    this.#refusedOnce = true;
    this.#rate = Math.max(this.s.start * FLOOR, this.#rate * DECREASE);
    this.#holdLeft = this.#hold;
    if (probing) this.#hold = Math.min(MAX_HOLD_WRITES, this.#hold * 2);
    this.#decreasedAt = now;
    return 'decreased';
  }

  /** At a pace chosen to stay: under the rate last refused, or at the configured ceiling (not probing). */
  #held(): boolean {
    const atCeiling = this.#rate >= this.s.max * MARGIN * 0.999;
    return atCeiling || (this.#limit < Infinity && this.#rate <= this.#limit * MARGIN * 1.001);
  }
}
