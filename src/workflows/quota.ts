import { patched, sleep } from '@temporalio/workflow';
import type { DailyCapped, ParkOnCap, UnitFile } from '../activities/types';
import type { FileActivities } from './activities';
import type { TransferRun } from './run';
import { makeUnits } from './units';

/**
 * Parking at a daily cap (#14, #15): a destination said no write gets through until its daily cap resets (Drive's
 * 750 GB a day, Google Photos' project quota). The units stop early and hand back the photos they did not copy;
 * the transfer waits on a durable timer until `resumesAt` (state `waiting_quota`, also its search attribute), then
 * runs those photos — the probe — and goes on. No attempt is spent and no photo fails for it; a cap met again parks
 * again. When the reset comes is the destination's to say (the activity puts it in the outcome): nothing here
 * names one.
 */

/** Workflows started before parking replay as they ran: their units retry a cap with attempts. */
export const QUOTA_PARK = 'quota-park';

/**
 * Workflows started before the metadata steps parked replay as they ran: a cap met making the gallery folder,
 * asking for free space or looking folders up is retried with attempts (and fails the transfer once they are spent).
 */
export const QUOTA_PARK_STEPS = 'quota-park-steps';

/** What survives continue-as-new while parked. */
export interface Parked {
  held: UnitFile[];
  resumesAt: string | null;
}

/** The photos a daily cap stopped, and when the cap resets (the latest any unit or folder batch was told). */
export class QuotaHold {
  held: UnitFile[];
  resumesAt: string | null;
  /** Lanes waiting out a cap now (the units, the folder lane): the state is `waiting_quota` while any is. */
  parked = 0;

  constructor(carried?: Parked) {
    this.held = carried?.held ?? [];
    this.resumesAt = carried?.resumesAt ?? null;
  }

  hold(file: UnitFile, resumesAt: string): void {
    this.held.push(file);
    this.note(resumesAt);
  }

  note(resumesAt: string): void {
    if (!this.resumesAt || resumesAt > this.resumesAt) this.resumesAt = resumesAt;
  }

  /** The held photos, off the hold (the next park waits for the next cap's reset). */
  take(): UnitFile[] {
    const held = this.held;
    this.held = [];
    return held;
  }

  carried(): Parked | undefined {
    return this.held.length > 0 ? { held: this.held, resumesAt: this.resumesAt } : undefined;
  }
}

/** Whether this transfer parks at daily caps (asked before each unit: the unit is told so). */
export function parksOnCap(): boolean {
  return patched(QUOTA_PARK);
}

/** The held photos as units again: grouped as their pages were (their targets and folders stay theirs). */
function regroup(run: TransferRun, files: UnitFile[]): UnitFile[][] {
  const parents = new Map(files.map((f) => [f.folderIndex, f.parentId]));
  return makeUnits(files, files.map((f) => f.target), (folder) => parents.get(folder)!, run.plan!.settings);
}

/**
 * Waits out a cap until `until` (the units, or the folder lane, whichever met it): state `waiting_quota` with
 * `resumesAt` while any lane waits, a durable timer (cancellable), then `running` again.
 */
export async function parkUntil(run: TransferRun, until: string): Promise<void> {
  run.quota.note(until);
  if (run.quota.parked++ === 0) run.publishState('waiting_quota');
  const wait = Date.parse(until) - Date.now();
  if (wait > 0) await sleep(wait);
  if (--run.quota.parked > 0) return;
  run.quota.resumesAt = null;
  run.publishState('running');
}

/**
 * A metadata step that may meet a daily cap (the gallery folder — for Photos its album —, free space, folder
 * lookups): asked to answer a cap instead of failing on it, it parks the transfer until the reset and is asked
 * again, as often as the cap holds; it spends no attempt. `step` passes the flag it is given on to its activity.
 */
export async function pastDailyCaps<T>(run: TransferRun, step: (park: ParkOnCap) => Promise<T | DailyCapped>): Promise<T> {
  if (!patched(QUOTA_PARK_STEPS)) return (await step({})) as T;
  return parkingAtDailyCaps(run, step);
}

/** pastDailyCaps for a step whose own marker already says its workflow parks (saving again's lookup). */
export async function parkingAtDailyCaps<T>(run: TransferRun, step: (park: ParkOnCap) => Promise<T | DailyCapped>): Promise<T> {
  for (;;) {
    const answer = await step({ parkOnCap: true });
    if (!isDailyCapped(answer)) return answer;
    await parkUntil(run, answer.dailyCap.resumesAt);
  }
}

function isDailyCapped(answer: unknown): answer is DailyCapped {
  return typeof answer === 'object' && answer !== null && 'dailyCap' in answer;
}

function park(run: TransferRun): Promise<void> {
  return parkUntil(run, run.quota.resumesAt ?? new Date().toISOString());
}

/**
 * While photos are held by a daily cap: lets the units in flight end (they stop at the cap too), parks, then runs
 * the held photos and `unstarted` (the units a cap kept from starting), again and again while the cap holds. Returns
 * the units not started when the transfer stopped instead; held photos are among them then. `schedule` starts units
 * in the window. `continueAt`: in the first copy, the page a continue-as-new resumes at (the pages before it are
 * done or held): a long park then continues as new, carrying the held photos; null in a retry (its state is its own).
 */
export async function throughDailyCaps(
  run: TransferRun,
  unstarted: UnitFile[][],
  schedule: (units: UnitFile[][]) => Promise<UnitFile[][]>,
  continueAt: number | null,
): Promise<UnitFile[][]> {
  for (;;) {
    if (run.quota.held.length > 0 && !run.ledger.fatal) await run.window.idle();
    if (run.ledger.fatal) return [...unstarted, ...(run.quota.held.length > 0 ? [run.quota.take()] : [])];
    if (run.quota.held.length === 0) return unstarted;
    if (continueAt !== null && run.historyIsLong()) {
      for (const unit of unstarted) run.quota.held.push(...unit);
      run.nextPage = continueAt;
      await run.continueIfLong(); // does not return
    }
    await park(run);
    unstarted = await schedule([...regroup(run, run.quota.take()), ...unstarted]);
  }
}

/** After the last units started: until none is in flight and no photo is held by a cap (or the transfer stopped). */
export async function drainDailyCaps(
  run: TransferRun,
  unstarted: UnitFile[][],
  schedule: (units: UnitFile[][]) => Promise<UnitFile[][]>,
  continueAt: number | null,
): Promise<UnitFile[][]> {
  for (;;) {
    await run.window.idle();
    if (run.quota.held.length === 0 || run.ledger.fatal) return throughDailyCaps(run, unstarted, schedule, null);
    unstarted = await throughDailyCaps(run, unstarted, schedule, continueAt);
  }
}
