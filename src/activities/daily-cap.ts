import { TransferError } from '../shared/errors';
import type { DailyCapped } from './types';

/**
 * When a transfer stopped by a daily cap tries again: the reset the destination published, else QUOTA_PROBE_MINUTES
 * from now (Drive publishes none; the probe finds out).
 */
export function capResumesAt(cap: { resumesAt: string | null }, probeMinutes: number, now = Date.now()): string {
  return cap.resumesAt ?? new Date(now + probeMinutes * 60_000).toISOString();
}

/**
 * A metadata step (the gallery folder, free space, folder lookups) for a workflow that parks at daily caps
 * (`parkOnCap`): a cap is answered as `{ dailyCap }` instead of thrown, so it spends none of the step's attempts
 * and the workflow waits until the reset, then asks again. Without `parkOnCap` (workflows from before) it throws as
 * it did, and is retried.
 */
export async function answeringDailyCap<T>(parkOnCap: boolean | undefined, probeMinutes: number, step: () => Promise<T>): Promise<T | DailyCapped> {
  try {
    return await step();
  } catch (err) {
    if (!(parkOnCap && err instanceof TransferError && err.dailyCap)) throw err;
    return { dailyCap: { resumesAt: capResumesAt(err.dailyCap, probeMinutes) } };
  }
}
