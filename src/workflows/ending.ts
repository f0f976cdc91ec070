import { CancellationScope, isCancellation, log, patched } from '@temporalio/workflow';
import type { CompletionReport } from '../activities/types';
import { completion, failureMessage, metadata } from './activities';
import { NOT_ENOUGH_SPACE, type TransferState } from './ledger';
import type { TransferRun } from './run';

/** How a transfer ends: the completion callback, the token given up, and the clean stop on cancellation. */

/** Publishes the outcome and tells the gallery backend. */
export async function report(run: TransferRun, error: string | undefined, final: Exclude<TransferState, 'running' | 'waiting_quota'>): Promise<void> {
  run.lastError = error ?? null;
  run.publishState(final);
  await sendCallback(run);
}

/**
 * The completion callback for the state published last, retried until the gallery backend answers 2xx or the
 * retries run out (7 days). Then the transfer goes on without it (the token must still be revoked) and its progress
 * says the callback was not delivered, and why.
 */
export async function sendCallback(run: TransferRun): Promise<void> {
  const { input, ledger } = run;
  const body: CompletionReport = {
    status: run.state as CompletionReport['status'],
    cloud_type: input.cloudType,
    archive_type: input.archiveType,
    failed_photos: ledger.counts.failed,
    transfer_id: input.transferId,
    gallery_name: input.galleryName,
    archive_url: input.archiveUrl,
    files_total: run.total(),
    files_uploaded: ledger.counts.done,
    files_skipped: ledger.counts.skipped ?? 0,
    folder_url: run.root?.url ?? null,
    ...(run.lastError ? { error: run.lastError } : {}),
    ...(ledger.shortfall ? { error_code: NOT_ENOUGH_SPACE, bytes_needed: ledger.shortfall.bytesNeeded, bytes_free: ledger.shortfall.bytesFree } : {}),
  };
  try {
    await completion.notifyCompletion(body);
    run.callback = { delivered: true, error: null };
  } catch (err) {
    if (isCancellation(err)) throw err;
    run.callback = { delivered: false, error: failureMessage(err) };
    log.warn('the gallery backend never accepted the completion callback', { error: run.callback.error });
  }
}

/** Gives up the destination token; a failure to do so is logged, not fatal (the transfer is over either way). */
export async function revoke(run: TransferRun): Promise<void> {
  try {
    await metadata.revokeAccess(run.credentials);
  } catch (err) {
    log.warn('could not revoke the destination token', { error: failureMessage(err) });
  }
}

/**
 * Cancelled (Web UI or `temporal workflow cancel`): in-flight uploads were cancelled with the scope; tell the
 * gallery and give up the token, then end as cancelled. In the retry window (no retry running) the gallery already
 * heard the outcome: the cancel only closes the window and gives up the token, with no second callback.
 */
export function endCancelled(run: TransferRun): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    const inWindow = run.phase === 'waiting' && run.retryWindowEndsAt !== null;
    if (inWindow && patched('window-cancel-without-callback')) {
      run.retryWindowEndsAt = null;
      run.touch();
      await revoke(run);
      return;
    }
    await run.window.idle();
    run.ledger.cancelledRest(run.total());
    run.retryWindowEndsAt = null;
    await report(run, 'the transfer was cancelled', 'cancelled');
    await revoke(run);
  });
}
