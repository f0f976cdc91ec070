import { defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { MAX_FAILURES_PAGE, type FailedFile, type TransferProgress } from './ledger';
import type { TransferRun } from './run';

export interface FailedFilesPage {
  offset?: number;
  limit?: number;
}

/** What the API, the Web UI and support can ask of or send to a running transfer. */

export const progressQuery = defineQuery<TransferProgress>('progress');
/** The failed photos, a page at a time ({ offset, limit }; limit at most 1,000); without one, the first 1,000. */
export const failedFilesQuery = defineQuery<FailedFile[], [FailedFilesPage?]>('failedFiles');
/** Re-runs the failed photos of a finished transfer (update: answers how many; signal: for the Web UI). */
export const retryFailedUpdate = defineUpdate<{ files: number }>('retryFailed');
export const retryFailedSignal = defineSignal('retryFailed');
/** Sends the completion callback of a finished transfer again, during its retry window (update and signal). */
export const resendCallbackUpdate = defineUpdate<{ status: string }>('resendCallback');
export const resendCallbackSignal = defineSignal('resendCallback');

export function installHandlers(run: TransferRun): void {
  setHandler(progressQuery, () => run.progress());
  setHandler(failedFilesQuery, (page) => (page ? run.ledger.page(page.offset ?? 0, page.limit ?? MAX_FAILURES_PAGE) : run.ledger.failures));
  const requestRetry = () => {
    run.retryRequested = true;
    // After a shortfall nothing was copied: the retry copies every photo of the plan.
    return { files: run.ledger.shortfall ? run.plan!.filesTotal : run.ledger.retryableCount() };
  };
  setHandler(retryFailedUpdate, requestRetry, {
    validator: () => {
      if (run.phase !== 'waiting') throw new Error(`retryFailed is only possible once the transfer has finished (it is ${run.state})`);
      if (!run.ledger.retryPending()) throw new Error('no failed photo can be retried (only listing entries that can never be copied failed)');
    },
  });
  setHandler(retryFailedSignal, () => {
    if (run.phase === 'waiting' && run.ledger.retryPending()) requestRetry();
  });
  installResend(run);
}

function installResend(run: TransferRun): void {
  // Accepted from the moment the callback is sent (the window opens once the gallery has answered it).
  const windowOpen = () => run.phase === 'waiting' && run.state !== 'running' && run.ledger.retryPending();
  const requestResend = () => {
    run.resendRequested = true;
    return { status: run.state };
  };
  setHandler(resendCallbackUpdate, requestResend, {
    validator: () => {
      if (!windowOpen()) throw new Error(`resendCallback is only possible while a finished transfer waits in its retry window (it is ${run.state})`);
    },
  });
  setHandler(resendCallbackSignal, () => {
    if (windowOpen()) requestResend();
  });
}
