import { CancellationScope, log } from '@temporalio/workflow';
import type { CompletionReport } from '../activities/types';
import { completion, failureMessage, metadata } from './activities';
import { NOT_ENOUGH_SPACE, type TransferState } from './ledger';
import type { TransferRun } from './run';

/** How a transfer ends: the completion callback, the token given up, and the clean stop on cancellation. */

/** Publishes the outcome and tells the gallery backend (retried until it answers 2xx). */
export async function report(run: TransferRun, error: string | undefined, final: Exclude<TransferState, 'running'>): Promise<void> {
  const { input, ledger } = run;
  run.lastError = error ?? null;
  run.publishState(final);
  const body: CompletionReport = {
    status: final,
    cloud_type: input.cloudType,
    archive_type: input.archiveType,
    failed_photos: ledger.counts.failed,
    transfer_id: input.transferId,
    gallery_name: input.galleryName,
    archive_url: input.archiveUrl,
    files_total: run.total(),
    files_uploaded: ledger.counts.done,
    folder_url: run.root?.url ?? null,
    ...(error ? { error } : {}),
    ...(ledger.shortfall ? { error_code: NOT_ENOUGH_SPACE, bytes_needed: ledger.shortfall.bytesNeeded, bytes_free: ledger.shortfall.bytesFree } : {}),
  };
  await completion.notifyCompletion(body);
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
 * gallery and give up the token, then end as cancelled.
 */
export function endCancelled(run: TransferRun): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    await run.window.idle();
    run.ledger.cancelledRest(run.total());
    run.retryWindowEndsAt = null;
    await report(run, 'the transfer was cancelled', 'cancelled');
    await revoke(run);
  });
}
