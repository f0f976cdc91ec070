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
import { capResumesAt } from './daily-cap';
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

/** What the steps of one attempt at a unit share. */
interface UnitAttempt {
  unit: FileUnit;
  provider: DestinationProvider;
  progress: UnitProgress;
  signal: AbortSignal;
  log: Logger;
  /** The last retryable failure per file: the retry's message, and the reason given for files given up on. */
  lastError: Map<number, TransferError>;
  beat: () => void;
  failed: (file: UnitFile, failure: TransferError) => void;
  /** The daily cap met, when the workflow asked the unit to stop at one (parkOnCap). */
  capped: TransferError | null;
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
  const attempt = startAttempt(deps, unit, ctx);
  // Keeps the heartbeat going while an upload waits on a rate limit or a slow link; it is also how this
  // activity learns it was cancelled.
  const ticker = setInterval(attempt.beat, tickerMs(ctx.info.heartbeatTimeoutMs));
  try {
    const { progress } = attempt;
    const open = unit.files.filter((f) => !progress.done[f.index] && !progress.failed[f.index] && !progress.uploaded[f.index]);
    await eachLimited(open, PARALLEL_IN_UNIT, (file) => copyFile(deps, attempt, file));
    if (attempt.provider.commitFiles && !attempt.signal.aborted && !attempt.capped) await commitUploaded(attempt);
  } finally {
    clearInterval(ticker);
  }
  if (ctx.cancellationSignal.aborted) {
    attempt.beat();
    await ctx.cancelled; // rethrows the cancellation so Temporal records it (and retries elsewhere on shutdown)
  }
  if (attempt.capped) return cappedOutcomes(unit, attempt.progress, attempt.capped, deps.quotaProbeMinutes);
  throwIfRetrying(attempt, ctx.info.attempt);
  return outcomesOf(attempt, ctx.info.attempt);
}

function startAttempt(deps: FileDeps, unit: FileUnit, ctx: Context): UnitAttempt {
  const progress: UnitProgress = normalise(ctx.info.heartbeatDetails);
  const log = deps.logger.child({ transfer_id: unit.transferId, attempt: ctx.info.attempt });
  const lastError = new Map<number, TransferError>();
  const attempt: UnitAttempt = {
    unit,
    provider: deps.providers.forTransfer(unit.cloudType, unit.transferId, unit.sealedRefreshToken),
    progress,
    signal: ctx.cancellationSignal,
    log,
    lastError,
    beat: () => ctx.heartbeat(progress),
    capped: null,
    failed: (file, failure) => {
      if (unit.parkOnCap && failure.dailyCap) attempt.capped ??= failure;
      else if (failure.retryable) lastError.set(file.index, failure);
      else progress.failed[file.index] = failureOf(failure, failure.message);
      filesTransferred.inc({ outcome: failure.retryable ? 'retried' : 'failed', code: failure.code });
      // `error_code`, not `code`: the logger redacts `code` (OAuth authorization codes).
      log.warn({ file: file.name, error_code: failure.code, retryable: failure.retryable }, failure.message);
    },
  };
  return attempt;
}

function tickerMs(heartbeatTimeoutMs: number | undefined): number {
  return Math.min(HEARTBEAT_EVERY_MS, Math.max(200, Math.floor((heartbeatTimeoutMs ?? HEARTBEAT_EVERY_MS * 3) / 3)));
}

/** Uploads one file in one of the worker's copy slots and records the result (done, or uploaded awaiting commit). */
async function copyFile(deps: FileDeps, a: UnitAttempt, file: UnitFile): Promise<void> {
  const { unit, progress, signal } = a;
  // Past a daily cap every further write would meet it too.
  if (a.capped) return;
  try {
    const stored = await deps.slots.run(unit.transferId, signal, () => a.provider.putFile({
      transferId: unit.transferId,
      file,
      target: targetOf(file.target),
      parentId: file.parentId,
      ...(unit.rootRef ? { rootRef: unit.rootRef } : {}),
      ...(unit.galleryKey ? { galleryKey: unit.galleryKey } : {}),
      read: (offset) => readSource(deps.http, deps.sourceHosts, file, offset, signal),
      checkpoint: progress.checkpoints[file.index],
      saveCheckpoint: (cp) => {
        if (cp === undefined) delete progress.checkpoints[file.index];
        else progress.checkpoints[file.index] = cp;
        a.beat();
      },
      signal,
    }));
    bytesUploaded.inc(stored.bytesSent);
    delete progress.checkpoints[file.index];
    if (stored.pending !== undefined) {
      progress.uploaded[file.index] = { bytes: stored.size, bytesSent: stored.bytesSent, pending: stored.pending };
    } else {
      progress.done[file.index] = { bytes: stored.size, bytesSent: stored.bytesSent };
      filesTransferred.inc({ outcome: 'copied', code: '' });
      a.log.debug({ file: file.name, bytes: stored.size, sent: stored.bytesSent }, 'file copied');
    }
  } catch (err) {
    if (!signal.aborted) a.failed(file, asTransferError(err));
  }
  a.beat();
}

/** Files still open before the last attempt fail the activity, so that Temporal retries it with its backoff. */
function throwIfRetrying(a: UnitAttempt, attempt: number): void {
  const { unit, progress } = a;
  const pending = unit.files.filter((f) => !progress.done[f.index] && !progress.failed[f.index]);
  if (pending.length === 0 || attempt >= unit.maxAttempts) return;
  a.beat();
  const first = a.lastError.get(pending[0]!.index);
  throw ApplicationFailure.retryable(
    `${pending.length} of ${unit.files.length} file(s) not copied yet; first: "${pending[0]!.name}": ${first?.message ?? 'unknown error'}`,
    first?.code ?? 'files_pending',
  );
}

/** The unit's result per file; files still open (only on the last attempt) are given up on with their last error. */
function outcomesOf(a: UnitAttempt, attempt: number): FileOutcome[] {
  return a.unit.files.map((f): FileOutcome => {
    const done = a.progress.done[f.index];
    if (done) return { index: f.index, ok: true, bytes: done.bytes, bytesSent: done.bytesSent, ...(done.id ? { id: done.id } : {}) };
    const failed = a.progress.failed[f.index];
    if (failed) return { index: f.index, ok: false, ...failed };
    const last = a.lastError.get(f.index) ?? new TransferError('unknown', 'unknown error', true);
    return { index: f.index, ok: false, ...failureOf(last, `gave up after ${attempt} attempts: ${last.message}`) };
  });
}

/** The unit's outcomes after a daily cap: those finished as they ended, every other one capped (tried after it). */
function cappedOutcomes(unit: FileUnit, progress: UnitProgress, cap: TransferError, probeMinutes: number): FileOutcome[] {
  const resumesAt = capResumesAt(cap.dailyCap ?? { resumesAt: null }, probeMinutes);
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
async function commitUploaded(a: UnitAttempt): Promise<void> {
  const { unit, progress, signal } = a;
  const files = unit.files.filter((f) => progress.uploaded[f.index]);
  if (files.length === 0) return;
  const items = files.map((file) => {
    const uploaded = progress.uploaded[file.index]!;
    const item = { file, parentId: file.parentId, pending: uploaded.pending, maybeCommitted: uploaded.committing === true };
    uploaded.committing = true;
    return item;
  });
  a.beat();
  let outcomes: CommitOutcome[];
  try {
    outcomes = await a.provider.commitFiles!({ transferId: unit.transferId, items, signal });
  } catch (err) {
    if (!signal.aborted) for (const file of files) a.failed(file, asTransferError(err));
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
    a.failed(file, outcome.error);
  });
  a.beat();
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

