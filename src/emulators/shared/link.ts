import { setTimeout as delay } from 'node:timers/promises';

/**
 * A link of fixed bandwidth. Every caller reserves transmission time for its bytes in arrival
 * order, so concurrent streams share the rate instead of each getting it. Awaiting take() before
 * handing bytes on is what keeps a reader from pulling more from its socket (TCP backpressure).
 */
export class Link {
  private nextFreeAt = 0;

  constructor(private readonly bytesPerSecond: () => number | undefined) {}

  async take(bytes: number): Promise<void> {
    const rate = this.bytesPerSecond();
    if (!rate || rate <= 0) return;
    const now = performance.now();
    this.nextFreeAt = Math.max(now, this.nextFreeAt) + (bytes * 1000) / rate;
    const wait = this.nextFreeAt - now;
    if (wait >= 1) await delay(wait);
  }
}
