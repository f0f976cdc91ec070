import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PlanSummary } from '../activities/types';

/** The workflow's view of the activities, with the timeouts and retries each kind needs. */

export const metadata = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // They heartbeat while they run: a worker that dies in one is replaced within this, not the 5 minutes.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export type FileActivities = ReturnType<typeof fileActivities>;

export function fileActivities(settings: PlanSummary['settings']) {
  return proxyActivities<Activities>({
    // Large files are long; a dead worker is noticed through the heartbeat instead.
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: `${settings.heartbeatTimeoutSeconds}s`,
    // SPEC: each photo is tried up to 5 times with a growing delay (2, 4, 8, 16 s between tries).
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: settings.maxFileAttempts },
  });
}

/** Folder batches: a time limit of their own (FOLDER_ACTIVITY_TIMEOUT_SECONDS); they stop early rather than reach it. */
export function folderActivities(settings: PlanSummary['settings']) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${settings.folderTimeoutSeconds}s`,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  });
}

export const completion = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '7 days',
  // Until the gallery backend answers 2xx.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function failureType(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type ? cause.type : 'activity_failed';
}
