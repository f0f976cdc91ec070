import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CompletionReport, FileOutcome, PlanSummary } from '../activities/types';
import type { CreatedFolders } from '../providers/types';
import type { TransferInput } from '../shared/types';
import { makeUnits } from './units';

/**
 * One transfer = one workflow (`transfer-<transfer_id>`). Deterministic orchestration only; every side effect
 * is an activity.
 *
 * Shape, chosen for 100,000-photo galleries: the listing is read by an activity and the workflow walks it in
 * pages; a page's files are grouped into units (activities) and at most `concurrency` units run at a time,
 * which also keeps one big gallery from starving others on the same workers. When the history grows long the
 * workflow continues as new, carrying only counters and the cursor, so no run nears Temporal's limits.
 */

export type TransferState = 'running' | 'succeeded' | 'partially_failed' | 'failed';

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
}

export interface FailedFile {
  index: number | null;
  name: string;
  code: string;
  reason: string;
}

/** What survives continue-as-new. */
export interface Carried {
  plan: PlanSummary;
  folders: CreatedFolders;
  nextPage: number;
  counts: { done: number; failed: number; bytesDone: number; bytesSent: number };
  failures: FailedFile[];
  fatal: string | null;
  startedAt: string;
}

export const progressQuery = defineQuery<TransferProgress>('progress');
export const failedFilesQuery = defineQuery<FailedFile[]>('failedFiles');

const MAX_FAILURES_KEPT = 1000;
/** Continue as new well before Temporal's 51,200-event limit (and our own 10,000 target). */
const HISTORY_EVENTS_BUDGET = 6000;
/** Failures that make every further photo fail the same way: stop instead of trying each one. */
const FATAL_CODES = new Set(['auth_revoked', 'auth_rejected', 'drive_storage_full', 'drive_scope_missing', 'drive_domain_policy', 'drive_daily_limit']);

const metadata = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
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

const completion = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '7 days',
  // Until the gallery backend answers 2xx.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function transferWorkflow(input: TransferInput, carried?: Carried): Promise<TransferProgress> {
  const credentials = { transferId: input.transferId, cloudType: input.cloudType, sealedRefreshToken: input.sealedRefreshToken };
  let state: TransferState = 'running';
  let updatedAt = new Date().toISOString();
  const startedAt = carried?.startedAt ?? updatedAt;
  const counts = carried?.counts ?? { done: 0, failed: 0, bytesDone: 0, bytesSent: 0 };
  const failures: FailedFile[] = carried?.failures ?? [];
  let fatal = carried?.fatal ?? null;
  let plan = carried?.plan;
  let folders = carried?.folders;

  const fail = (f: FailedFile) => {
    counts.failed++;
    if (failures.length < MAX_FAILURES_KEPT) failures.push(f);
  };
  const progress = (): TransferProgress => ({
    state,
    filesTotal: plan ? plan.filesTotal + plan.rejectedCount : 0,
    filesDone: counts.done,
    filesFailed: counts.failed,
    bytesTotal: plan?.bytesTotal ?? 0,
    bytesDone: counts.bytesDone,
    folderUrl: folders?.rootUrl ?? null,
    startedAt,
    updatedAt,
  });
  setHandler(progressQuery, progress);
  setHandler(failedFilesQuery, () => failures);

  const finish = async (error?: string): Promise<TransferProgress> => {
    const total = plan ? plan.filesTotal + plan.rejectedCount : 0;
    const final: CompletionReport['status'] =
      error || (total > 0 && counts.done === 0) ? 'failed' : counts.failed > 0 ? 'partially_failed' : 'succeeded';
    state = final;
    updatedAt = new Date().toISOString();
    const report: CompletionReport = {
      status: final,
      cloud_type: input.cloudType,
      archive_type: input.archiveType,
      failed_photos: counts.failed,
      transfer_id: input.transferId,
      gallery_name: input.galleryName,
      archive_url: input.archiveUrl,
      files_total: total,
      files_uploaded: counts.done,
      folder_url: folders?.rootUrl ?? null,
      ...(error ? { error } : {}),
    };
    await completion.notifyCompletion(report);
    try {
      await metadata.revokeAccess(credentials);
    } catch (err) {
      log.warn('could not revoke the Google token', { error: failureMessage(err) });
    }
    return progress();
  };

  try {
    if (!plan) {
      plan = await metadata.planTransfer({ transferId: input.transferId, listingUrl: input.listingUrl });
      for (const r of plan.rejected) fail({ index: null, name: r.name, code: 'listing_entry_invalid', reason: r.reason });
      counts.failed += plan.rejectedCount - plan.rejected.length;
    }
    if (!folders) {
      const targets = await metadata.reserveTargets({ ...credentials, count: plan.folders.length + 1 });
      folders = await metadata.createFolders({ ...credentials, rootName: input.galleryName, folders: plan.folders, targets });
    }
  } catch (err) {
    return finish(failureMessage(err));
  }
  const { settings } = plan;
  const files = fileActivities(settings);

  let inFlight = 0;
  const runUnit = async (unit: ReturnType<typeof makeUnits>[number]) => {
    let outcomes: FileOutcome[];
    try {
      outcomes = await files.transferFiles({ ...credentials, files: unit, maxAttempts: settings.maxFileAttempts });
    } catch (err) {
      // The unit failed as a whole (e.g. its worker died on the last attempt): count its files as failed.
      const reason = failureMessage(err);
      outcomes = unit.map((f) => ({ index: f.index, ok: false, code: failureType(err), reason }));
    }
    for (const outcome of outcomes) {
      const file = unit.find((f) => f.index === outcome.index)!;
      if (outcome.ok) {
        counts.done++;
        counts.bytesDone += outcome.bytes;
        counts.bytesSent += outcome.bytesSent;
      } else {
        fail({ index: outcome.index, name: file.folder ? `${file.folder}/${file.name}` : file.name, code: outcome.code, reason: outcome.reason });
        if (FATAL_CODES.has(outcome.code)) fatal ??= outcome.reason;
      }
    }
    updatedAt = new Date().toISOString();
  };

  for (let page = carried?.nextPage ?? 0; page < plan.pageCount && !fatal; page++) {
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BUDGET) {
      await condition(() => inFlight === 0);
      await condition(allHandlersFinished);
      await continueAsNew<typeof transferWorkflow>(input, { plan, folders, nextPage: page, counts, failures, fatal, startedAt });
    }
    let entries;
    let targets;
    try {
      entries = await metadata.loadPage({ listingUrl: input.listingUrl, fingerprint: plan.fingerprint, page, pageSize: settings.pageSize });
      targets = await metadata.reserveTargets({ ...credentials, count: entries.length });
    } catch (err) {
      fatal = failureMessage(err);
      break;
    }
    for (const unit of makeUnits(entries, targets, folders.folderIds, settings)) {
      await condition(() => inFlight < settings.concurrency);
      if (fatal) break;
      inFlight++;
      void runUnit(unit).finally(() => inFlight--);
    }
  }
  await condition(() => inFlight === 0);

  if (fatal) {
    // Photos never attempted because the transfer had to stop count as failed, with the reason.
    const left = plan.filesTotal + plan.rejectedCount - counts.done - counts.failed;
    if (left > 0) {
      fail({ index: null, name: `(${left} photo(s) not attempted)`, code: 'transfer_stopped', reason: fatal });
      counts.failed += left - 1;
    }
  }
  return finish(fatal ?? undefined);
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
