import { setTimeout as delay } from 'node:timers/promises';

/**
 * How long after the last upload ended a batch still waits for more: the transfer's next unit starts a moment after
 * the last one ended (the workflow schedules it), longer on a busy worker; without this pause the gap between two
 * units would send half-empty batches.
 */
const QUIET_MS = 2_000;

/**
 * Gathers one transfer's items into batches for a call that takes up to `max` of one key (batchCreate: 50 items of
 * one album), and runs those calls one at a time (Photos refuses a user's concurrent batchCreate). A batch that is
 * not full waits while uploads of the transfer are still running in this process, or ended less than QUIET_MS ago
 * — their items, and those of the next unit, will join it — but never longer than `lingerMs`: that is what brings
 * requests per photo near one upload each.
 */
export class Batcher<T> {
  readonly #waiting: Array<{ key: string; item: T; since: number }> = [];
  #uploads = 0;
  #lastUploadEnded = 0;
  #draining = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly max: number,
    private readonly lingerMs: number,
    private readonly run: (key: string, items: T[]) => Promise<void>,
  ) {}

  add(key: string, items: T[]): void {
    const since = Date.now();
    for (const item of items) this.#waiting.push({ key, item, since });
    this.#nudge();
    void this.#drain();
  }

  /** Runs an upload whose item will come: batches wait for it. */
  async uploading<R>(upload: () => Promise<R>): Promise<R> {
    this.#uploads++;
    try {
      return await upload();
    } finally {
      this.#uploads--;
      this.#lastUploadEnded = Date.now();
      this.#nudge();
    }
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#waiting.length > 0) {
        const { key, since } = this.#waiting[0]!;
        const ready = this.#waiting.filter((w) => w.key === key).length;
        const left = since + this.lingerMs - Date.now();
        const quiet = this.#uploads > 0 ? left : this.#lastUploadEnded + QUIET_MS - Date.now();
        if (ready < this.max && left > 0 && quiet > 0) {
          await this.#sleep(Math.min(left, quiet));
          continue;
        }
        const batch: T[] = [];
        for (let i = 0; i < this.#waiting.length && batch.length < this.max; ) {
          if (this.#waiting[i]!.key === key) batch.push(this.#waiting.splice(i, 1)[0]!.item);
          else i++;
        }
        await this.run(key, batch);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Until an item is added, an upload ends, or `ms` passed. */
  async #sleep(ms: number): Promise<void> {
    const timer = new AbortController();
    const woken = new Promise<void>((resolve) => (this.#wake = resolve));
    await Promise.race([woken, delay(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
    this.#wake = undefined;
  }

  #nudge(): void {
    this.#wake?.();
  }
}
