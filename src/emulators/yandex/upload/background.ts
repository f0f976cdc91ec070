/**
 * Downloads the emulator runs on its own ("upload by URL"). close() aborts them and waits, so a
 * closed emulator leaves no sockets or timers behind.
 */
export class BackgroundFetches {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<void>>();

  /** `task` must settle the operation itself and never reject. */
  run(task: (signal: AbortSignal) => Promise<void>): void {
    const promise = task(this.controller.signal).finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.running);
  }
}
