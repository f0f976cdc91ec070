import type { LazyTemporalClient } from '../bridge/temporal-client';

/** True when Temporal answers a cheap call within `timeoutMs` (connecting first if needed). */
export async function temporalReachable(temporal: LazyTemporalClient, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Temporal did not answer in time')), timeoutMs);
  });
  try {
    const client = await Promise.race([temporal.get(), expired]);
    await client.connection.withDeadline(deadline, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
