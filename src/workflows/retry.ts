import { condition } from '@temporalio/workflow';
import { fileActivities, metadata } from './activities';
import type { UnitFile } from '../activities/types';
import { copyAll, copyPages, schedule } from './copy';
import { report, sendCallback } from './ending';
import { failureFacts } from './failure-facts';
import type { FailedFile } from './ledger';
import type { TransferRun } from './run';
import { drainDailyCaps } from './quota';
import { makeUnits } from './units';

/**
 * The retry window: a finished transfer with failed photos stays open so support can send `retryFailed`, which
 * re-runs only those and calls back again, or `resendCallback`, which sends the last callback again; until the
 * window closes.
 */
export async function retryWindow(run: TransferRun): Promise<void> {
  while (run.ledger.retryPending() && run.plan) {
    run.phase = 'waiting';
    run.retryWindowEndsAt ??= new Date(Date.now() + run.plan.settings.retryWindowHours * 3600_000).toISOString();
    const remaining = Date.parse(run.retryWindowEndsAt) - Date.now();
    if (remaining <= 0 || !(await condition(() => run.retryRequested || run.resendRequested, remaining))) break;
    if (!run.retryRequested) {
      run.resendRequested = false;
      await sendCallback(run);
      continue;
    }
    run.retryRequested = false;
    run.resendRequested = false;
    run.phase = 'copying';
    const error = run.ledger.shortfall ? await copyAgain(run) : await retryFailedFiles(run);
    run.phase = 'waiting';
    await report(run, error, run.outcomeOf(error));
    await run.continueIfLong();
  }
}

/** The destination ids for a retry: the reserved ones again, fresh ones where the old id is spent. */
async function retryTargets(run: TransferRun, again: FailedFile[]): Promise<string[]> {
  const needsFresh = (f: FailedFile) => !f.target || failureFacts(f).targetSpent;
  const fresh = again.filter(needsFresh).length;
  const freshIds = fresh > 0 ? await metadata.reserveTargets({ ...run.credentials, count: fresh }) : [];
  return again.map((f) => (needsFresh(f) ? freshIds.shift()! : f.target!));
}

/** A copy that never started for want of space: checks the space again and, if it now fits, copies everything. */
function copyAgain(run: TransferRun): Promise<string | undefined> {
  run.ledger.takeRetryable();
  run.publishState('running');
  return copyAll(run);
}

/**
 * Re-runs the failed photos: the same reserved ids (a copy that happened after all is found, not duplicated); then,
 * after a stop, the pages never loaded. Returns why the transfer stopped again, if it did.
 */
async function retryFailedFiles(run: TransferRun): Promise<string | undefined> {
  const { again, resume } = run.ledger.takeRetryable();
  run.publishState('running');
  const unstarted = again.length > 0 ? await retryFiles(run, again) : [];
  if (run.ledger.fatal) {
    // Stopped again: what was not copied stays retryable, the pages never loaded included.
    if (run.retriesAllNotCopied()) run.ledger.stopped(unstarted, resume?.page ?? run.plan!.pageCount, run.total());
    return run.ledger.fatal;
  }
  if (!resume) return undefined;
  run.nextPage = resume.page;
  return copyPages(run);
}

/** Re-runs these failed photos; returns those not started because the transfer stopped meanwhile. */
async function retryFiles(run: TransferRun, again: FailedFile[]): Promise<UnitFile[]> {
  const entries = await metadata.loadEntries({ ...run.listingRef(), indices: again.map((f) => f.index!) });
  const targets = await retryTargets(run, again);
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  const missing = again.filter((f) => !byIndex.has(f.index!));
  for (const f of missing) run.ledger.fail({ ...f, reason: 'the photo is no longer in the gallery listing' });
  const kept = again.flatMap((f, i) => {
    const entry = byIndex.get(f.index!);
    return entry ? [{ entry, target: targets[i]! }] : [];
  });
  const parentOf = await run.lane.parentsOf(kept.map((x) => x.entry));
  const units = makeUnits(kept.map((x) => x.entry), kept.map((x) => x.target), parentOf, run.plan!.settings);
  const files = fileActivities(run.plan!.settings);
  const rerun = (more: UnitFile[][]) => schedule(run, more, files);
  // Parked at a daily cap, a retry waits it out as the first copy does (not continuing as new: its state is its own).
  return (await drainDailyCaps(run, await schedule(run, units, files), rerun, null)).flat();
}
