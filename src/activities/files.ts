import { ApplicationFailure, Context } from '@temporalio/activity';
import type { HostRule } from '../shared/hosts';
import { eachLimited } from '../shared/each-limited';
import { describe, TransferError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { Providers } from '../providers';
import { bytesUploaded, filesTransferred } from '../shared/metrics';
import { readSource } from '../source/reader';
import type { SourceHttp } from '../source/http';
import type { FairSlots } from './fair-slots';
import { targetOf } from './targets';
import type { FileFailure, FileOutcome, FileUnit } from './types';

/** Small files of one activity are copied a few at a time: they are latency-bound, not bandwidth-bound. */
const PARALLEL_IN_UNIT = 4;
/** At most this long between heartbeats, and at least three per heartbeat timeout (FILE_HEARTBEAT_TIMEOUT_SECONDS may be 2 s). */
const HEARTBEAT_EVERY_MS = 5_000;

/** Heartbeat details of a unit: what is finished and where unfinished uploads stand. A hint for the next attempt. */
interface UnitProgress {
  done: Record<number, { bytes: number; bytesSent: number }>;
  failed: Record<number, FileFailure>;
  checkpoints: Record<number, unknown>;
}

export interface FileDeps {
  providers: Providers;
  http: SourceHttp;
  sourceHosts: readonly HostRule[];
  /** This worker's copy slots, shared in turns between transfers. */
  slots: FairSlots;
  logger: Logger;
}

/**
 * Copies the files of one unit (one large file, or up to FILES_PER_ACTIVITY small ones).
 * Per file: success and permanent failure are final; a retryable failure makes the whole activity fail so that
 * Temporal retries it with the growing backoff, and the retry copies only the files still open. On the last
 * attempt those are reported as failed instead. Rate limits are waited out inside (not counted as attempts).
 */
export async function transferFiles(deps: FileDeps, unit: FileUnit): Promise<FileOutcome[]> {
  const ctx = Context.current();
  const progress: UnitProgress = normalise(ctx.info.heartbeatDetails);
  const log = deps.logger.child({ transfer_id: unit.transferId, attempt: ctx.info.attempt });
  const provider = deps.providers.forTransfer(unit.cloudType, unit.transferId, unit.sealedRefreshToken);
  const lastError = new Map<number, TransferError>();

  const beat = () => ctx.heartbeat(progress);
  // Keeps the heartbeat going while an upload waits on a rate limit or a slow link; it is also how this
  // activity learns it was cancelled.
  const ticker = setInterval(beat, Math.min(HEARTBEAT_EVERY_MS, Math.max(200, Math.floor((ctx.info.heartbeatTimeoutMs ?? HEARTBEAT_EVERY_MS * 3) / 3))));
  try {
    const open = unit.files.filter((f) => !progress.done[f.index] && !progress.failed[f.index]);
    await eachLimited(open, PARALLEL_IN_UNIT, async (file) => {
      try {
        const stored = await deps.slots.run(unit.transferId, ctx.cancellationSignal, () => provider.putFile({
          transferId: unit.transferId,
          file,
          target: targetOf(file.target),
          parentId: file.parentId,
          read: (offset) => readSource(deps.http, deps.sourceHosts, file, offset, ctx.cancellationSignal),
          checkpoint: progress.checkpoints[file.index],
          saveCheckpoint: (cp) => {
            if (cp === undefined) delete progress.checkpoints[file.index];
            else progress.checkpoints[file.index] = cp;
            beat();
          },
          signal: ctx.cancellationSignal,
        }));
        progress.done[file.index] = { bytes: stored.size, bytesSent: stored.bytesSent };
        filesTransferred.inc({ outcome: 'copied', code: '' });
        bytesUploaded.inc(stored.bytesSent);
        delete progress.checkpoints[file.index];
        log.debug({ file: file.name, bytes: stored.size, sent: stored.bytesSent }, 'file copied');
      } catch (err) {
        if (ctx.cancellationSignal.aborted) return;
        const failure = asTransferError(err);
        if (failure.retryable) lastError.set(file.index, failure);
        else progress.failed[file.index] = failureOf(failure, failure.message);
        filesTransferred.inc({ outcome: failure.retryable ? 'retried' : 'failed', code: failure.code });
        // `error_code`, not `code`: the logger redacts `code` (OAuth authorization codes).
        log.warn({ file: file.name, error_code: failure.code, retryable: failure.retryable }, failure.message);
      }
      beat();
    });
  } finally {
    clearInterval(ticker);
  }
  if (ctx.cancellationSignal.aborted) {
    beat();
    await ctx.cancelled; // rethrows the cancellation so Temporal records it (and retries elsewhere on shutdown)
  }

  const pending = unit.files.filter((f) => !progress.done[f.index] && !progress.failed[f.index]);
  if (pending.length > 0 && ctx.info.attempt < unit.maxAttempts) {
    beat();
    const first = lastError.get(pending[0]!.index);
    throw ApplicationFailure.retryable(
      `${pending.length} of ${unit.files.length} file(s) not copied yet; first: "${pending[0]!.name}": ${first?.message ?? 'unknown error'}`,
      first?.code ?? 'files_pending',
    );
  }
  return unit.files.map((f): FileOutcome => {
    const done = progress.done[f.index];
    if (done) return { index: f.index, ok: true, bytes: done.bytes, bytesSent: done.bytesSent };
    const failed = progress.failed[f.index];
    if (failed) return { index: f.index, ok: false, ...failed };
    const last = lastError.get(f.index) ?? new TransferError('unknown', 'unknown error', true);
    return { index: f.index, ok: false, ...failureOf(last, `gave up after ${ctx.info.attempt} attempts: ${last.message}`) };
  });
}

function asTransferError(err: unknown): TransferError {
  if (err instanceof TransferError) return err;
  return new TransferError('internal', describe(err), true);
}

function failureOf(err: TransferError, reason: string): FileFailure {
  return { code: err.code, reason, accountWide: err.accountWide, targetSpent: err.targetSpent };
}

function normalise(details: unknown): UnitProgress {
  const d = (details ?? {}) as Partial<UnitProgress>;
  return { done: d.done ?? {}, failed: d.failed ?? {}, checkpoints: d.checkpoints ?? {} };
}

