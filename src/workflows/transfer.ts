import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CompletionReport, FileOutcome, PlanSummary, UnitFile } from '../activities/types';
import type { CreatedRoot } from '../providers/types';
import type { ChainLink } from '../source/folder-tree';
import type { FileEntry } from '../source/listing';
import { ACCOUNT_WIDE_CODES, VERIFICATION_FAILED } from '../shared/errors';
import type { TransferInput } from '../shared/types';
import { FilesFailed, FilesTotal, TransferState as TransferStateKey } from '../temporal/search-attributes';
import { foldersNeeded, makeUnits } from './units';

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
 * so support can send `retryFailed` (which re-runs only those and calls back again). When the window closes, or
 * nothing failed, the destination token is revoked and the workflow ends. Cancelling the workflow stops it cleanly.
 */

export type TransferState = 'running' | 'succeeded' | 'partially_failed' | 'failed' | 'cancelled';

export interface TransferProgress {
  state: TransferState;
  filesTotal: number;
  filesDone: number;
  filesFailed: number;
  bytesTotal: number;
  bytesDone: number;
  folderUrl: string | null;
  startedAt: string;
  updatedAt: string;
  /** While a finished transfer with failures waits for `retryFailed`. */
  retryWindowEndsAt: string | null;
  /** Why the transfer failed or stopped, in words. */
  error: string | null;
}

export interface FailedFile {
  /** Position in the plan; null for listing entries that could never be copied. */
  index: number | null;
  name: string;
  code: string;
  reason: string;
  /** The reserved destination id, reused by a retry so a copy made after all cannot be duplicated. */
  target?: string;
}

/** Where album folder creation stands: the next folder (in creation order) and the chain of the one made last. */
export interface FolderCursor {
  next: number;
  chain: ChainLink[];
}

/** What survives continue-as-new. Not the folders' references: a new run looks up those its files need. */
export interface Carried {
  phase: 'copying' | 'waiting';
  plan: PlanSummary;
  /** Unset only when the transfer failed before it had a gallery folder. */
  root?: CreatedRoot;
  folderCursor: FolderCursor;
  nextPage: number;
  counts: { done: number; failed: number; bytesDone: number; bytesSent: number };
  failures: FailedFile[];
  fatal: string | null;
  startedAt: string;
  retryWindowEndsAt: string | null;
}

export const progressQuery = defineQuery<TransferProgress>('progress');
export const failedFilesQuery = defineQuery<FailedFile[]>('failedFiles');
/** Re-runs the failed photos of a finished transfer (update: answers how many; signal: for the Web UI). */
export const retryFailedUpdate = defineUpdate<{ files: number }>('retryFailed');
export const retryFailedSignal = defineSignal('retryFailed');

const MAX_FAILURES_KEPT = 1000;
/** Continue as new well before Temporal's 51,200-event limit (and our own 10,000 target). */
const HISTORY_EVENTS_BUDGET = 6000;

const metadata = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // They heartbeat while they run: a worker that dies in one is replaced within this, not the 5 minutes.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

function fileActivities(settings: PlanSummary['settings']) {
  return proxyActivities<Activities>({
    // Large files are long; a dead worker is noticed through the heartbeat instead.
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: `${settings.heartbeatTimeoutSeconds}s`,
    // SPEC: each photo is tried up to 5 times with a growing delay (2, 4, 8, 16 s between tries).
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: settings.maxFileAttempts },
  });
}

/** Folder batches: a time limit of their own (FOLDER_ACTIVITY_TIMEOUT_SECONDS); they stop early rather than reach it. */
function folderActivities(settings: PlanSummary['settings']) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${settings.folderTimeoutSeconds}s`,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  });
}

const completion = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '7 days',
  // Until the gallery backend answers 2xx.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function transferWorkflow(input: TransferInput, carried?: Carried): Promise<TransferProgress> {
  const credentials = { transferId: input.transferId, cloudType: input.cloudType, sealedRefreshToken: input.sealedRefreshToken };
  let phase = carried?.phase ?? 'copying';
  let state: TransferState = 'running';
  let updatedAt = new Date().toISOString();
  const startedAt = carried?.startedAt ?? updatedAt;
  const counts = carried?.counts ?? { done: 0, failed: 0, bytesDone: 0, bytesSent: 0 };
  let failures: FailedFile[] = carried?.failures ?? [];
  let fatal = carried?.fatal ?? null;
  let plan = carried?.plan;
  let root = carried?.root;
  let folderCursor: FolderCursor = carried?.folderCursor ?? { next: 0, chain: [] };
  /** References of the folders this run made or looked up, by index; not carried (it can be as large as the tree). */
  const folderRefs = new Map<number, string>();
  let nextPage = carried?.nextPage ?? 0;
  let retryWindowEndsAt = carried?.retryWindowEndsAt ?? null;
  let retryRequested = false;
  let lastError: string | null = null;
  let inFlight = 0;

  const total = () => (plan ? plan.filesTotal + plan.rejectedCount : 0);
  const retryable = () => failures.filter((f) => f.index !== null);
  const fail = (f: FailedFile) => {
    counts.failed++;
    if (failures.length < MAX_FAILURES_KEPT) failures.push(f);
  };
  const progress = (): TransferProgress => ({
    state,
    filesTotal: total(),
    filesDone: counts.done,
    filesFailed: counts.failed,
    bytesTotal: plan?.bytesTotal ?? 0,
    bytesDone: counts.bytesDone,
    folderUrl: root?.url ?? null,
    startedAt,
    updatedAt,
    retryWindowEndsAt,
    error: lastError,
  });
  const publishState = (next: TransferState) => {
    state = next;
    updatedAt = new Date().toISOString();
    upsertSearchAttributes([
      { key: TransferStateKey, value: state },
      { key: FilesTotal, value: total() },
      { key: FilesFailed, value: counts.failed },
    ]);
  };

  if (phase === 'waiting') state = outcomeOf(undefined);
  setHandler(progressQuery, progress);
  setHandler(failedFilesQuery, () => failures);
  const requestRetry = () => {
    retryRequested = true;
    return { files: retryable().length };
  };
  setHandler(retryFailedUpdate, requestRetry, {
    validator: () => {
      if (phase !== 'waiting') throw new Error(`retryFailed is only possible once the transfer has finished (it is ${state})`);
      if (retryable().length === 0) throw new Error('no failed photo can be retried (only listing entries that can never be copied failed)');
    },
  });
  setHandler(retryFailedSignal, () => {
    if (phase === 'waiting' && retryable().length > 0) requestRetry();
  });

  const runUnit = async (unit: UnitFile[], files: ReturnType<typeof fileActivities>) => {
    let outcomes: FileOutcome[];
    try {
      outcomes = await files.transferFiles({ ...credentials, files: unit, maxAttempts: plan!.settings.maxFileAttempts });
    } catch (err) {
      // The unit failed as a whole (its worker died on the last attempt, or the transfer was cancelled).
      const reason = isCancellation(err) ? 'the transfer was cancelled' : failureMessage(err);
      outcomes = unit.map((f) => ({ index: f.index, ok: false, code: isCancellation(err) ? 'cancelled' : failureType(err), reason }));
    }
    for (const outcome of outcomes) {
      const file = unit.find((f) => f.index === outcome.index)!;
      if (outcome.ok) {
        counts.done++;
        counts.bytesDone += outcome.bytes;
        counts.bytesSent += outcome.bytesSent;
      } else {
        fail({ index: outcome.index, name: file.folder ? `${file.folder}/${file.name}` : file.name, code: outcome.code, reason: outcome.reason, target: file.target });
        if (ACCOUNT_WIDE_CODES.has(outcome.code)) fatal ??= outcome.reason;
      }
    }
    updatedAt = new Date().toISOString();
  };

  /** Runs units with at most `concurrency` in flight; returns once all are scheduled (not finished). */
  const schedule = async (units: UnitFile[][], files: ReturnType<typeof fileActivities>) => {
    for (const unit of units) {
      await condition(() => inFlight < plan!.settings.concurrency);
      if (fatal) return;
      inFlight++;
      void runUnit(unit, files).finally(() => inFlight--);
    }
  };

  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BUDGET;

  const continueIfLong = async () => {
    if (!historyIsLong()) return;
    pausingFolders = true;
    await folderLane;
    await condition(() => inFlight === 0);
    await condition(allHandlersFinished);
    await continueAsNew<typeof transferWorkflow>(input, {
      phase,
      plan: plan!,
      root,
      folderCursor,
      nextPage,
      counts,
      failures,
      fatal,
      startedAt,
      retryWindowEndsAt,
    });
  };

  const listingRef = () => ({ listingUrl: input.listingUrl, fingerprint: plan!.fingerprint });

  /**
   * The folder lane: album folders, a batch per activity, in creation order, running ahead of the pages (album
   * creates go first in the pacer, photos fill the gaps). Each batch's result (the references it made) is its
   * progress in the history: a crash or a timeout redoes at most one batch, and a continue-as-new carries only the
   * cursor. A batch reads the paths from the listing itself. Stops between batches for a continue-as-new.
   */
  let folderLane: Promise<void> | undefined;
  let pausingFolders = false;
  const makeFolders = async () => {
    try {
      while (folderCursor.next < plan!.folderCount && !fatal && !pausingFolders) {
        const count = Math.min(plan!.settings.foldersPerActivity, plan!.folderCount - folderCursor.next);
        const targets = await metadata.reserveTargets({ ...credentials, count });
        const batch = { ...credentials, ...listingRef(), rootRef: root!.ref, from: folderCursor.next, targets, chain: folderCursor.chain };
        const made = await folderActivities(plan!.settings).createFolderBatch(batch);
        made.refs.forEach((ref, i) => folderRefs.set(folderCursor.next + i, ref));
        folderCursor = { next: folderCursor.next + made.refs.length, chain: made.chain };
      }
    } catch (err) {
      // Cancellation reaches the main path through its own waits; anything else stops the transfer.
      if (!isCancellation(err)) fatal ??= failureMessage(err);
    }
  };

  /** Waits until the first `need` album folders exist; continues as new meanwhile if the history grows long. */
  const folderWait = async (need: number) => {
    for (;;) {
      await condition(() => folderCursor.next >= need || fatal !== null || historyIsLong());
      if (folderCursor.next >= need || fatal) return;
      await continueIfLong();
    }
  };

  /** The parent reference of each file's folder: made in this run, else looked up (made before a continue-as-new). */
  const parentsOf = async (entries: FileEntry[]): Promise<(folderIndex: number) => string> => {
    const missing = [...new Set(entries.map((e) => e.folderIndex))].filter((i) => i >= 0 && !folderRefs.has(i));
    if (missing.length > 0) {
      const refs = await metadata.findFolders({ ...credentials, ...listingRef(), rootRef: root!.ref, indices: missing });
      missing.forEach((index, i) => folderRefs.set(index, refs[i]!));
    }
    return (folderIndex) => (folderIndex < 0 ? root!.ref : folderRefs.get(folderIndex)!);
  };

  /** One page's units: its files, once the folders they need exist (later albums are made meanwhile). */
  const preparePage = async (page: number): Promise<UnitFile[][]> => {
    const entries = await metadata.loadPage({ ...listingRef(), page, pageSize: plan!.settings.pageSize });
    await folderWait(foldersNeeded(entries));
    if (fatal) return [];
    const parentOf = await parentsOf(entries);
    const targets = await metadata.reserveTargets({ ...credentials, count: entries.length });
    return makeUnits(entries, targets, parentOf, plan!.settings);
  };

  const copyAll = async (): Promise<string | undefined> => {
    try {
      if (!plan) {
        plan = await metadata.planTransfer({ transferId: input.transferId, listingUrl: input.listingUrl });
        for (const r of plan.rejected) fail({ index: null, name: r.name, code: 'listing_entry_invalid', reason: r.reason });
        counts.failed += plan.rejectedCount - plan.rejected.length;
        publishState('running');
      }
      if (!root) {
        const [target] = await metadata.reserveTargets({ ...credentials, count: 1 });
        root = await metadata.createRoot({ ...credentials, rootName: input.galleryName, target: target! });
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      return failureMessage(err);
    }
    folderLane = makeFolders();
    const files = fileActivities(plan.settings);
    for (; nextPage < plan.pageCount && !fatal; nextPage++) {
      await continueIfLong();
      let units: UnitFile[][];
      try {
        units = await preparePage(nextPage);
      } catch (err) {
        if (isCancellation(err)) throw err;
        fatal = failureMessage(err);
        break;
      }
      await schedule(units, files);
    }
    await folderLane;
    await condition(() => inFlight === 0);
    if (fatal) {
      // Photos never attempted because the transfer had to stop count as failed, with the reason.
      const left = total() - counts.done - counts.failed;
      if (left > 0) {
        fail({ index: null, name: `(${left} photo(s) not attempted)`, code: 'transfer_stopped', reason: fatal });
        counts.failed += left - 1;
      }
    }
    return fatal ?? undefined;
  };

  /** Re-runs the failed photos: the same reserved ids (a copy that happened after all is found, not duplicated). */
  const retryFailedFiles = async () => {
    const again = retryable();
    failures = failures.filter((f) => f.index === null);
    counts.failed -= again.length;
    fatal = null;
    publishState('running');
    const entries = await metadata.loadEntries({ ...listingRef(), indices: again.map((f) => f.index!) });
    // A verification failure spent its id (the bad copy was deleted): those get fresh ones.
    const fresh = again.filter((f) => !f.target || f.code === VERIFICATION_FAILED).length;
    const freshIds = fresh > 0 ? await metadata.reserveTargets({ ...credentials, count: fresh }) : [];
    const targets = again.map((f) => (!f.target || f.code === VERIFICATION_FAILED ? freshIds.shift()! : f.target));
    const byIndex = new Map(entries.map((e) => [e.index, e]));
    const missing = again.filter((f) => !byIndex.has(f.index!));
    for (const f of missing) fail({ ...f, reason: 'the photo is no longer in the gallery listing' });
    const kept = again.map((f, i) => ({ entry: byIndex.get(f.index!), target: targets[i]! })).filter((x) => x.entry);
    const parentOf = await parentsOf(kept.map((x) => x.entry!));
    await schedule(makeUnits(kept.map((x) => x.entry!), kept.map((x) => x.target), parentOf, plan!.settings), fileActivities(plan!.settings));
    await condition(() => inFlight === 0);
  };

  const report = async (error: string | undefined, final: Exclude<TransferState, 'running'>) => {
    lastError = error ?? null;
    publishState(final);
    const body: CompletionReport = {
      status: final,
      cloud_type: input.cloudType,
      archive_type: input.archiveType,
      failed_photos: counts.failed,
      transfer_id: input.transferId,
      gallery_name: input.galleryName,
      archive_url: input.archiveUrl,
      files_total: total(),
      files_uploaded: counts.done,
      folder_url: root?.url ?? null,
      ...(error ? { error } : {}),
    };
    await completion.notifyCompletion(body);
  };

  const revoke = async () => {
    try {
      await metadata.revokeAccess(credentials);
    } catch (err) {
      log.warn('could not revoke the destination token', { error: failureMessage(err) });
    }
  };

  try {
    if (phase === 'copying') {
      const error = await copyAll();
      // Support acts on the callback: retryFailed must be accepted from the moment it is sent.
      phase = 'waiting';
      await report(error, outcomeOf(error));
    }
    // The retry window: wait for support's retryFailed, re-run, report again; until the window closes.
    while (retryable().length > 0 && plan) {
      phase = 'waiting';
      retryWindowEndsAt ??= new Date(Date.now() + plan.settings.retryWindowHours * 3600_000).toISOString();
      const remaining = Date.parse(retryWindowEndsAt) - Date.now();
      if (remaining <= 0 || !(await condition(() => retryRequested, remaining))) break;
      retryRequested = false;
      phase = 'copying';
      await retryFailedFiles();
      phase = 'waiting';
      await report(undefined, outcomeOf(undefined));
      await continueIfLong();
    }
    retryWindowEndsAt = null;
    await revoke();
    return progress();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled (Web UI or `temporal workflow cancel`): in-flight uploads were cancelled with the scope; tell
    // the gallery and give up the token, then end as cancelled.
    await CancellationScope.nonCancellable(async () => {
      await condition(() => inFlight === 0);
      const left = total() - counts.done - counts.failed;
      counts.failed += Math.max(0, left);
      retryWindowEndsAt = null;
      await report('the transfer was cancelled', 'cancelled');
      await revoke();
    });
    throw err;
  }

  function outcomeOf(error: string | undefined): Exclude<TransferState, 'running' | 'cancelled'> {
    if (error || (total() > 0 && counts.done === 0)) return 'failed';
    return counts.failed > 0 ? 'partially_failed' : 'succeeded';
  }
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

function failureType(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type ? cause.type : 'activity_failed';
}
