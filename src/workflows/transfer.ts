import { isCancellation } from '@temporalio/workflow';
import type { TransferInput } from '../shared/types';
import { copyAll } from './copy';
import { endCancelled, report, revoke } from './ending';
import { installHandlers } from './handlers';
import type { TransferProgress } from './ledger';
import { retryWindow } from './retry';
import { TransferRun, type Carried } from './run';

/**
 * One transfer = one workflow (`transfer-<transfer_id>`). Deterministic orchestration only; every side effect
 * is an activity.
 *
 * Shape, chosen for 100,000-photo galleries: the listing is read by an activity and the workflow walks it in
 * pages; a page's files are grouped into units (activities) and at most `concurrency` units run at a time,
 * which also keeps one big gallery from starving others on the same workers. When the history grows long the
 * workflow continues as new, carrying only counters, the cursor and the failures, so no run nears Temporal's
 * limits.
 *
 * After the copy: the completion callback; then, if photos failed, the transfer stays open for the retry window
 * so support can send `retryFailed` (which re-runs only those and calls back again) or `resendCallback`. When the
 * window closes, or nothing failed, the destination token is revoked and the workflow ends — also when the gallery
 * backend never accepted the callback (progress says so). Cancelling the workflow stops it cleanly; in the retry
 * window it only closes the window.
 *
 * The phases live in their own modules: copy.ts (plan, gallery folder, pages), retry.ts (the window), ending.ts
 * (callback, revoke, cancellation); ledger.ts keeps the books, window.ts the units in flight, folder-lane.ts the
 * album folders, run.ts the state of one run and continue-as-new.
 */

export { progressQuery, failedFilesQuery, retryFailedUpdate, retryFailedSignal, resendCallbackUpdate, resendCallbackSignal } from './handlers';
export type { FailedFile, TransferProgress, TransferState } from './ledger';
export type { FolderCursor } from './folder-lane';
export type { Carried } from './run';

export async function transferWorkflow(input: TransferInput, carried?: Carried): Promise<TransferProgress> {
  const run = new TransferRun(input, carried);
  installHandlers(run);
  try {
    if (run.phase === 'copying') {
      const error = await copyAll(run);
      // Support acts on the callback: retryFailed must be accepted from the moment it is sent.
      run.phase = 'waiting';
      await report(run, error, run.outcomeOf(error));
    }
    await retryWindow(run);
    run.retryWindowEndsAt = null;
    await revoke(run);
    return run.progress();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await endCancelled(run);
    throw err;
  }
}
