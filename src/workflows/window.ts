import { condition } from '@temporalio/workflow';

/**
 * The in-flight window: at most `limit()` units (activities) of one transfer run at a time, which also keeps one
 * big gallery from starving others on the same workers.
 */
export class UnitWindow {
  inFlight = 0;

  constructor(private readonly limit: () => number) {}

  /** Starts each unit once a slot is free; returns once all are started (not finished), or early when `stopped`. */
  async schedule<T>(units: T[], run: (unit: T) => Promise<void>, stopped: () => boolean): Promise<void> {
    for (const unit of units) {
      await condition(() => this.inFlight < this.limit());
      if (stopped()) return;
      this.inFlight++;
      void run(unit).finally(() => this.inFlight--);
    }
  }

  /** Resolves once no unit runs. */
  idle(): Promise<void> {
    return condition(() => this.inFlight === 0);
  }
}
