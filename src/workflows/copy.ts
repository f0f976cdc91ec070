import { condition, isCancellation, patched } from '@temporalio/workflow';
import type { FileOutcome, UnitFile } from '../activities/types';
import { failureMessage, failureType, fileActivities, metadata, type FileActivities } from './activities';
import type { TransferRun } from './run';
import { drainDailyCaps, parksOnCap, pastDailyCaps, throughDailyCaps } from './quota';
import { findEarlierCopy, galleryFolder, notCopiedBefore, unitMarks } from './earlier-copy';
import { foldersNeeded, makeUnits } from './units';

/**
 * The copy phases: plan and gallery folder, then the listing page by page — each page's files grouped into units
 * that run in the in-flight window while the folder lane makes the album folders ahead of them.
 */

/** Reads the plan and makes the gallery folder, unless an earlier run did; returns why that failed, if it did. */
async function planAndRoot(run: TransferRun): Promise<string | undefined> {
  const { input } = run;
  try {
    if (!run.plan) {
      run.plan = await metadata.planTransfer({ transferId: input.transferId, listingUrl: input.listingUrl });
      run.ledger.rejected(run.plan);
      run.publishState('running');
    }
    const earlier = run.root ? null : await findEarlierCopy(run);
    if (!run.root && patched(SPACE_CHECK) && (await tooLittleSpace(run, earlier?.bytes ?? 0))) return run.ledger.fatal!;
    if (!run.root) run.root = await galleryFolder(run, earlier);
  } catch (err) {
    if (isCancellation(err)) throw err;
    return failureMessage(err);
  }
  return undefined;
}

/** Workflows started before the free-space check replay without it (docs/deployment.md, "Upgrading…"). */
const SPACE_CHECK = 'space-check';

/**
 * Asks the destination for its free space before the first write; a gallery that cannot fit stops here. `skipped`:
 * bytes of the photos an earlier copy holds already (saving again).
 */
async function tooLittleSpace(run: TransferRun, skipped: number): Promise<boolean> {
  const free = await pastDailyCaps(run, (park) => metadata.freeBytes({ ...run.credentials, ...park }));
  return run.ledger.checkSpace(run.plan!.bytesTotal - run.ledger.counts.bytesDone - skipped, free);
}

/**
 * One unit: its files' outcomes go to the ledger; a unit that failed as a whole fails each of its files. Photos a
 * daily cap stopped are held for after it (quota.ts), not failed.
 */
export async function runUnit(run: TransferRun, unit: UnitFile[], files: FileActivities): Promise<void> {
  let outcomes: FileOutcome[];
  try {
    const parkOnCap = parksOnCap() ? { parkOnCap: true } : {};
    outcomes = await files.transferFiles({ ...run.credentials, files: unit, maxAttempts: run.plan!.settings.maxFileAttempts, ...parkOnCap, ...unitMarks(run) });
  } catch (err) {
    // Its worker died on the last attempt, or the transfer was cancelled.
    const reason = isCancellation(err) ? 'the transfer was cancelled' : failureMessage(err);
    outcomes = unit.map((f) => ({ index: f.index, ok: false, code: isCancellation(err) ? 'cancelled' : failureType(err), reason }));
  }
  for (const outcome of outcomes) {
    const file = unit.find((f) => f.index === outcome.index)!;
    if (!outcome.ok && outcome.dailyCap) run.quota.hold(file, outcome.dailyCap.resumesAt);
    else run.ledger.record(outcome, file);
  }
  run.touch();
}

/** Starts the units in the window; returns once all are started, or with those not started if the transfer stopped. */
export function schedule(run: TransferRun, units: UnitFile[][], files: FileActivities): Promise<UnitFile[][]> {
  return run.window.schedule(units, (unit) => runUnit(run, unit, files), () => run.ledger.fatal !== null || run.quota.held.length > 0);
}

/** Waits until the first `need` album folders exist; continues as new meanwhile if the history grows long. */
async function folderWait(run: TransferRun, need: number): Promise<void> {
  for (;;) {
    await condition(() => run.lane.cursor.next >= need || run.ledger.fatal !== null || run.historyIsLong());
    if (run.lane.cursor.next >= need || run.ledger.fatal) return;
    await run.continueIfLong();
  }
}

/** One page's units: its files, once the folders they need exist (later albums are made meanwhile). */
async function preparePage(run: TransferRun, page: number): Promise<UnitFile[][]> {
  const plan = run.plan!;
  // Saving again, the photos the earlier copy holds are left out (counted as skipped when its folder was taken).
  const entries = notCopiedBefore(run, await metadata.loadPage({ ...run.listingRef(), page, pageSize: plan.settings.pageSize }));
  if (entries.length === 0) return [];
  await folderWait(run, foldersNeeded(entries));
  if (run.ledger.fatal) return [];
  const parentOf = await run.lane.parentsOf(entries);
  const targets = await metadata.reserveTargets({ ...run.credentials, count: entries.length });
  return makeUnits(entries, targets, parentOf, plan.settings);
}

/** The whole copy; returns why the transfer stopped, if it did. */
export async function copyAll(run: TransferRun): Promise<string | undefined> {
  const error = await planAndRoot(run);
  if (error) return error;
  return copyPages(run);
}

/**
 * The pages from `run.nextPage` on (with the folder lane ahead of them); returns why the transfer stopped, if it
 * did. A stop leaves every photo not copied retryable: those of the page at hand one by one, the pages never loaded
 * as a resume point.
 */
export async function copyPages(run: TransferRun): Promise<string | undefined> {
  const plan = run.plan!;
  run.lane.start();
  const files = fileActivities(plan.settings);
  const again = (units: UnitFile[][]) => schedule(run, units, files);
  // A run continued as new while parked starts with the photos the cap held.
  let unstarted = await throughDailyCaps(run, [], again, run.nextPage);
  for (; run.nextPage < plan.pageCount && !run.ledger.fatal; run.nextPage++) {
    await run.continueIfLong();
    let units: UnitFile[][];
    try {
      units = await preparePage(run, run.nextPage);
    } catch (err) {
      if (isCancellation(err)) throw err;
      run.ledger.fatal = failureMessage(err);
      break;
    }
    // Stopped while the page was prepared: it was never started, so it is where a retry resumes.
    if (run.ledger.fatal && units.length === 0) break;
    // Continuing as new while parked here resumes after this page: its photos are copied or held.
    unstarted = await throughDailyCaps(run, await schedule(run, units, files), again, run.nextPage + 1);
  }
  await run.lane.ended();
  unstarted = await drainDailyCaps(run, unstarted, again, run.nextPage);
  settleStop(run, unstarted.flat(), run.nextPage);
  return run.ledger.fatal ?? undefined;
}

/** The books after a stop: resumable in transfers that started on this version, one summary entry before it. */
export function settleStop(run: TransferRun, unstarted: UnitFile[], resumePage: number): void {
  if (!run.ledger.fatal) return;
  if (run.retriesAllNotCopied()) run.ledger.stopped(unstarted, resumePage, run.total());
  else run.ledger.notAttempted(run.total());
}
