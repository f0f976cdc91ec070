import type { FileOutcome, PlanSummary, UnitFile } from '../activities/types';
import type { CreatedRoot } from '../providers/types';
import { failureFacts } from './failure-facts';

/**
 * The transfer's books: what was copied, what failed and why, and whether an account-wide error stopped it.
 * Pure (no Temporal API), so the rules for counts, the failures list and the outcome are unit-tested on their own;
 * the workflow owns one and carries its state across continue-as-new.
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
  /** Set when the destination had too little free space to start: nothing was copied. */
  shortfall?: SpaceShortfall | null;
}

/** The destination's free space was smaller than what the gallery still needed. */
export interface SpaceShortfall {
  bytesNeeded: number;
  bytesFree: number;
}

export const NOT_ENOUGH_SPACE = 'not_enough_space';

export interface FailedFile {
  /** Position in the plan; null for listing entries that could never be copied. */
  index: number | null;
  name: string;
  code: string;
  reason: string;
  /** The reserved destination id, reused by a retry so a copy made after all cannot be duplicated. */
  target?: string;
  /** The destination cannot write `target` again: a retry reserves a fresh one. Absent in failures recorded before. */
  targetSpent?: boolean;
}

export interface Counts {
  done: number;
  failed: number;
  bytesDone: number;
  bytesSent: number;
}

/** The part of the ledger that survives continue-as-new. */
export interface LedgerState {
  counts: Counts;
  failures: FailedFile[];
  fatal: string | null;
  /** Absent in state carried by runs from before the free-space check. */
  shortfall?: SpaceShortfall | null;
}

/** Failures listed (and retryable) at most; the count goes on beyond. Keeps queries and carried state small. */
export const MAX_FAILURES_KEPT = 1000;

/** Every entry of the listing, including those that can never be copied. */
export function totalOf(plan: PlanSummary | undefined): number {
  return plan ? plan.filesTotal + plan.rejectedCount : 0;
}

export class Ledger {
  readonly counts: Counts;
  failures: FailedFile[];
  /** The account-wide error that stopped the transfer (Drive full, token revoked…), if one did. */
  fatal: string | null;
  /** Why the copy never started, when it was for want of space; a retry checks the space again and copies all. */
  shortfall: SpaceShortfall | null;

  constructor(carried?: LedgerState) {
    this.counts = carried?.counts ?? { done: 0, failed: 0, bytesDone: 0, bytesSent: 0 };
    this.failures = carried?.failures ?? [];
    this.fatal = carried?.fatal ?? null;
    this.shortfall = carried?.shortfall ?? null;
  }

  /**
   * Before anything is written: stops the transfer if the destination cannot hold what is left to copy (null
   * free space: unlimited, or the destination cannot tell). Answers whether it stopped.
   */
  checkSpace(bytesNeeded: number, bytesFree: number | null): boolean {
    if (bytesFree === null || bytesFree >= bytesNeeded) return false;
    this.shortfall = { bytesNeeded, bytesFree };
    this.stop(`not enough space in the destination: the gallery needs ${bytesNeeded} bytes, ${bytesFree} are free`);
    return true;
  }

  /** Whether retryFailed has anything to do: failed photos, or a copy that never started for want of space. */
  retryPending(): boolean {
    return this.shortfall !== null || this.retryable().length > 0;
  }

  fail(f: FailedFile): void {
    this.counts.failed++;
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push(f);
  }

  /** Stops the transfer for this reason unless an earlier one already did. */
  stop(reason: string): void {
    this.fatal ??= reason;
  }

  /** Listing entries that can never be copied: failed from the start, listed as far as the plan lists them. */
  rejected(plan: PlanSummary): void {
    for (const r of plan.rejected) this.fail({ index: null, name: r.name, code: 'listing_entry_invalid', reason: r.reason });
    this.counts.failed += plan.rejectedCount - plan.rejected.length;
  }

  /** One photo's result; an account-wide error also stops the transfer. */
  record(outcome: FileOutcome, file: UnitFile): void {
    if (outcome.ok) {
      this.counts.done++;
      this.counts.bytesDone += outcome.bytes;
      this.counts.bytesSent += outcome.bytesSent;
      return;
    }
    const facts = failureFacts(outcome);
    this.fail({ index: outcome.index, name: file.folder ? `${file.folder}/${file.name}` : file.name, code: outcome.code, reason: outcome.reason, target: file.target, targetSpent: facts.targetSpent });
    if (facts.accountWide) this.stop(outcome.reason);
  }

  retryable(): FailedFile[] {
    return this.failures.filter((f) => f.index !== null);
  }

  /** Takes the retryable failures off the books for a retry (they are counted again by their new outcomes). */
  takeRetryable(): FailedFile[] {
    const again = this.retryable();
    this.failures = this.failures.filter((f) => f.index === null);
    this.counts.failed -= again.length;
    this.fatal = null;
    this.shortfall = null;
    return again;
  }

  /** After a stop: the photos never attempted count as failed, with the reason, in one entry. */
  notAttempted(total: number): void {
    if (!this.fatal) return;
    const left = total - this.counts.done - this.counts.failed;
    if (left > 0) {
      this.fail({ index: null, name: `(${left} photo(s) not attempted)`, code: 'transfer_stopped', reason: this.fatal });
      this.counts.failed += left - 1;
    }
  }

  /** After a cancellation: whatever was not copied or failed already counts as failed. */
  cancelledRest(total: number): void {
    const left = total - this.counts.done - this.counts.failed;
    this.counts.failed += Math.max(0, left);
  }

  outcomeOf(error: string | undefined, total: number): Exclude<TransferState, 'running' | 'cancelled'> {
    if (error || (total > 0 && this.counts.done === 0)) return 'failed';
    return this.counts.failed > 0 ? 'partially_failed' : 'succeeded';
  }

  carried(): LedgerState {
    return { counts: this.counts, failures: this.failures, fatal: this.fatal, ...(this.shortfall ? { shortfall: this.shortfall } : {}) };
  }

  progress(view: {
    state: TransferState;
    plan: PlanSummary | undefined;
    root: CreatedRoot | undefined;
    startedAt: string;
    updatedAt: string;
    retryWindowEndsAt: string | null;
    error: string | null;
  }): TransferProgress {
    return {
      state: view.state,
      filesTotal: totalOf(view.plan),
      filesDone: this.counts.done,
      filesFailed: this.counts.failed,
      bytesTotal: view.plan?.bytesTotal ?? 0,
      bytesDone: this.counts.bytesDone,
      folderUrl: view.root?.url ?? null,
      startedAt: view.startedAt,
      updatedAt: view.updatedAt,
      retryWindowEndsAt: view.retryWindowEndsAt,
      error: view.error,
      ...(this.shortfall ? { shortfall: this.shortfall } : {}),
    };
  }
}
