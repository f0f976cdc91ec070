import { condition } from '@temporalio/workflow';

/**
 * The in-flight window: at most `limit()` units (activities) of one transfer run at a time, which also keeps one
 * big gallery from starving others on the same workers.
 */
export class UnitWindow {
  inFlight = 0;

  constructor(private readonly limit: () => number) {}

  /**
   * Starts each unit once a slot is free; returns once all are started (not finished), or early when `stopped`,
   * with the units it did not start.
   */
  async schedule<T>(units: T[], run: (unit: T) => Promise<void>, stopped: () => boolean): Promise<T[]> {
    for (const [i, unit] of units.entries()) {
      await condition(() => this.inFlight < this.limit());
      if (stopped()) return units.slice(i);
      this.inFlight++;
      void run(unit).finally(() => this.inFlight--);
    }
    return [];
  }

  /** Resolves once no unit runs. */
  idle(): Promise<void> {
    return condition(() => this.inFlight === 0);
  }
}
