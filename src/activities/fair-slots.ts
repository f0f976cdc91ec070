/**
 * Copies in flight on one worker, shared fairly between transfers: when a slot frees up it goes to the next
 * transfer in turn that is waiting, not to whoever asked first. A 100,000-photo gallery then uses every slot
 * while it is alone, and a small gallery that arrives meanwhile gets half of them at once instead of queueing
 * behind it (no starvation). Per process; each worker shares its own slots.
 */
export class FairSlots {
  #free: number;
  /** Waiters per transfer; Map order is the turn order (a served transfer moves to the back). */
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(slots: number) {
    this.#free = slots;
  }

  async run<T>(key: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    await this.#acquire(key, signal);
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(key: string, signal: AbortSignal): Promise<void> {
    if (this.#free > 0 && this.#waiting.size === 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const queue = this.#waiting.get(key);
        const at = queue?.indexOf(waiter) ?? -1;
        if (queue && at >= 0) queue.splice(at, 1);
        if (queue?.length === 0) this.#waiting.delete(key);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const queue = this.#waiting.get(key);
      if (queue) queue.push(waiter);
      else this.#waiting.set(key, [waiter]);
    });
  }

  #release(): void {
    const next = this.#waiting.entries().next();
    if (next.done) {
      this.#free += 1;
      return;
    }
    const [key, queue] = next.value;
    const waiter = queue.shift()!;
    this.#waiting.delete(key);
    if (queue.length > 0) this.#waiting.set(key, queue); // to the back of the turn order
    waiter();
  }
}
