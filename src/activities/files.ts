import { ApplicationFailure, Context } from '@temporalio/activity';
import type { HostRule } from '../shared/hosts';
import { eachLimited } from '../shared/each-limited';
import { describe, TransferError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { DestinationProvider, Providers } from '../providers';
import type { CommitOutcome } from '../providers/types';
import { bytesUploaded, filesTransferred } from '../shared/metrics';
import { readSource } from '../source/reader';
import type { SourceHttp } from '../source/http';
import type { FairSlots } from './fair-slots';
import { targetOf } from './targets';
import type { FileFailure, FileOutcome, FileUnit, UnitFile } from './types';

/** Small files of one activity are copied a few at a time: they are latency-bound, not bandwidth-bound. */
const PARALLEL_IN_UNIT = 4;
/** At most this long between heartbeats, and at least three per heartbeat timeout (FILE_HEARTBEAT_TIMEOUT_SECONDS may be 2 s). */
const HEARTBEAT_EVERY_MS = 5_000;

/** Heartbeat details of a unit: what is finished and where unfinished uploads stand. A hint for the next attempt. */
interface UnitProgress {
  done: Record<number, { bytes: number; bytesSent: number; id?: string }>;
  failed: Record<number, FileFailure>;
  checkpoints: Record<number, unknown>;
  /** Uploaded, not yet committed (destinations with commitFiles): a retry commits these without uploading again. */
  uploaded: Record<number, Uploaded>;
}

interface Uploaded {
  bytes: number;
  bytesSent: number;
  pending: unknown;
  /** A commit was started: if its answer was lost, the next one must look for what it made. */
  committing?: boolean;
}

export interface FileDeps {
  providers: Providers;
  http: SourceHttp;
  sourceHosts: readonly HostRule[];
  /** This worker's copy slots, shared in turns between transfers. */
  slots: FairSlots;
  logger: Logger;
  /** QUOTA_PROBE_MINUTES: when a daily cap without a published reset time is tried again. */
  quotaProbeMinutes: number;
}

/**
 * Copies the files of one unit (one large file, or up to FILES_PER_ACTIVITY small ones).
 * Per file: success and permanent failure are final; a retryable failure makes the whole activity fail so that
 * Temporal retries it with the growing backoff, and the retry copies only the files still open. On the last
 * attempt those are reported as failed instead. Rate limits are waited out inside (not counted as attempts).
 * A daily cap (with `parkOnCap`) ends the unit early: the files not copied are reported as capped, no attempt spent.
 */
export async function transferFiles(deps: FileDeps, unit: FileUnit): Promise<FileOutcome[]> {
  const ctx = Context.current();
  const progress: UnitProgress = normalise(ctx.info.heartbeatDetails);
  const log = deps.logger.child({ transfer_id: unit.transferId, attempt: ctx.info.attempt });
  const provider = deps.providers.forTransfer(unit.cloudType, unit.transferId, unit.sealedRefreshToken);
  const lastError = new Map<number, TransferError>();
  let capped: TransferError | null = null;

  const beat = () => ctx.heartbeat(progress);
  const failed = (file: UnitFile, failure: TransferError) => {
    if (unit.parkOnCap && failure.dailyCap) capped ??= failure;
    else if (failure.retryable) lastError.set(file.index, failure);
    else progress.failed[file.index] = failureOf(failure, failure.message);
    filesTransferred.inc({ outcome: failure.retryable ? 'retried' : 'failed', code: failure.code });
    // `error_code`, not `code`: the logger redacts `code` (OAuth authorization codes).
    log.warn({ file: file.name, error_code: failure.code, retryable: failure.retryable }, failure.message);
  };
  // Keeps the heartbeat going while an upload waits on a rate limit or a slow link; it is also how this
  // activity learns it was cancelled.
  const ticker = setInterval(beat, Math.min(HEARTBEAT_EVERY_MS, Math.max(200, Math.floor((ctx.info.heartbeatTimeoutMs ?? HEARTBEAT_EVERY_MS * 3) / 3))));
  try {
    const open = unit.files.filter((f) => !progress.done[f.index] && !progress.failed[f.index] && !progress.uploaded[f.index]);
    await eachLimited(open, PARALLEL_IN_UNIT, async (file) => {
      // Past a daily cap every further write would meet it too.
      if (capped) return;
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
        bytesUploaded.inc(stored.bytesSent);
        delete progress.checkpoints[file.index];
        if (stored.pending !== undefined) {
          progress.uploaded[file.index] = { bytes: stored.size, bytesSent: stored.bytesSent, pending: stored.pending };
        } else {
          progress.done[file.index] = { bytes: stored.size, bytesSent: stored.bytesSent };
          filesTransferred.inc({ outcome: 'copied', code: '' });
          log.debug({ file: file.name, bytes: stored.size, sent: stored.bytesSent }, 'file copied');
        }
      } catch (err) {
        if (!ctx.cancellationSignal.aborted) failed(file, asTransferError(err));
      }
      beat();
    });
    if (provider.commitFiles && !ctx.cancellationSignal.aborted && !capped) await commitUploaded(provider, unit, progress, beat, failed, ctx.cancellationSignal);
  } finally {
    clearInterval(ticker);
  }
  if (ctx.cancellationSignal.aborted) {
    beat();
    await ctx.cancelled; // rethrows the cancellation so Temporal records it (and retries elsewhere on shutdown)
  }

  if (capped) return cappedOutcomes(unit, progress, capped, deps.quotaProbeMinutes);
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
    if (done) return { index: f.index, ok: true, bytes: done.bytes, bytesSent: done.bytesSent, ...(done.id ? { id: done.id } : {}) };
    const failed = progress.failed[f.index];
    if (failed) return { index: f.index, ok: false, ...failed };
    const last = lastError.get(f.index) ?? new TransferError('unknown', 'unknown error', true);
    return { index: f.index, ok: false, ...failureOf(last, `gave up after ${ctx.info.attempt} attempts: ${last.message}`) };
  });
}

/** The unit's outcomes after a daily cap: those finished as they ended, every other one capped (tried after it). */
function cappedOutcomes(unit: FileUnit, progress: UnitProgress, cap: TransferError, probeMinutes: number): FileOutcome[] {
  const resumesAt = cap.dailyCap?.resumesAt ?? new Date(Date.now() + probeMinutes * 60_000).toISOString();
  return unit.files.map((f): FileOutcome => {
    const done = progress.done[f.index];
    if (done) return { index: f.index, ok: true, bytes: done.bytes, bytesSent: done.bytesSent, ...(done.id ? { id: done.id } : {}) };
    const failed = progress.failed[f.index];
    if (failed) return { index: f.index, ok: false, ...failed };
    return { index: f.index, ok: false, code: cap.code, reason: cap.message, dailyCap: { resumesAt } };
  });
}

/**
 * The commit step of a destination that has one, for the unit's uploaded files. Marked `committing` (and
 * heartbeated) before the call, so that after a lost answer or a crash the next attempt asks the provider to look
 * for what the first one made instead of making it again.
 */
async function commitUploaded(
  provider: DestinationProvider,
  unit: FileUnit,
  progress: UnitProgress,
  beat: () => void,
  failed: (file: UnitFile, failure: TransferError) => void,
  signal: AbortSignal,
): Promise<void> {
  const files = unit.files.filter((f) => progress.uploaded[f.index]);
  if (files.length === 0) return;
  const items = files.map((file) => {
    const uploaded = progress.uploaded[file.index]!;
    const item = { file, parentId: file.parentId, pending: uploaded.pending, maybeCommitted: uploaded.committing === true };
    uploaded.committing = true;
    return item;
  });
  beat();
  let outcomes: CommitOutcome[];
  try {
    outcomes = await provider.commitFiles!({ transferId: unit.transferId, items, signal });
  } catch (err) {
    if (!signal.aborted) for (const file of files) failed(file, asTransferError(err));
    return;
  }
  files.forEach((file, i) => {
    const outcome = outcomes[i]!;
    const uploaded = progress.uploaded[file.index]!;
    if (outcome.ok) {
      delete progress.uploaded[file.index];
      progress.done[file.index] = { bytes: uploaded.bytes, bytesSent: uploaded.bytesSent, id: outcome.id };
      filesTransferred.inc({ outcome: 'copied', code: '' });
      return;
    }
    if (outcome.reupload || !outcome.error.retryable) delete progress.uploaded[file.index];
    failed(file, outcome.error);
  });
  beat();
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
  return { done: d.done ?? {}, failed: d.failed ?? {}, checkpoints: d.checkpoints ?? {}, uploaded: d.uploaded ?? {} };
}

