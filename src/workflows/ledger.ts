import type { FileOutcome, PlanSummary, UnitFile } from '../activities/types';
import type { CreatedRoot } from '../providers/types';
import { failureFacts } from './failure-facts';
import { addCompact, emptyCompact, expandCompact, type CompactFailures } from './failures';

/**
 * The transfer's books: what was copied, what failed and why, and whether an account-wide error stopped it.
 * Pure (no Temporal API), so the rules for counts, the failures list and the outcome are unit-tested on their own;
 * the workflow owns one and carries its state across continue-as-new.
 */

/** `waiting_quota`: parked at a destination's daily cap until `resumesAt` (src/workflows/quota.ts). */
export type TransferState = 'running' | 'waiting_quota' | 'succeeded' | 'partially_failed' | 'failed' | 'cancelled';

export interface TransferProgress {
  state: TransferState;
  filesTotal: number;
  filesDone: number;
  /** Saving again: photos already in the gallery folder from an earlier transfer, not copied again (unset by workers from before). */
  filesSkipped?: number;
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
  /** While parked at a daily cap (state `waiting_quota`): when the transfer tries again. Absent otherwise. */
  resumesAt?: string;
  /** Set when the destination had too little free space to start: nothing was copied. */
  shortfall?: SpaceShortfall | null;
  /** false when the gallery backend refused the completion callback until its retries ran out; null before one. */
  callbackDelivered?: boolean | null;
  /** Why the callback was not delivered. */
  callbackError?: string | null;
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
  /** Saving again: photos found already copied by an earlier transfer (neither done nor failed). Unset before. */
  skipped?: number;
}

/** After a stop: the first page never loaded, and how many photos it and the pages after it hold. */
export interface Resume {
  page: number;
  files: number;
}

/** The part of the ledger that survives continue-as-new. */
export interface LedgerState {
  counts: Counts;
  failures: FailedFile[];
  /** Failed photos beyond the MAX_FAILURES_KEPT listed in full (unset when there are none). */
  more?: CompactFailures;
  fatal: string | null;
  /** Absent in state carried by runs from before the free-space check. */
  shortfall?: SpaceShortfall | null;
  /** Unset in transfers that stopped before this existed: their photos never attempted cannot be retried. */
  resume?: Resume | null;
}

const NOT_ATTEMPTED = 'transfer_stopped';

/** Failures listed in full (with names); those beyond are kept compact, still retryable. */
export const MAX_FAILURES_KEPT = 1000;
/** Most failures one `failedFiles` query answers. */
export const MAX_FAILURES_PAGE = 1000;

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
  /** Where the page loop picks up again when support retries a transfer that stopped. */
  resume: Resume | null;

  /** Failed photos beyond those listed in full. */
  more: CompactFailures;

  /**
   * `keepAll`: whether failures beyond MAX_FAILURES_KEPT are kept (compact) rather than only counted; asked only
   * when one is, since transfers from before this must replay as they ran.
   */
  constructor(
    carried?: LedgerState,
    private readonly keepAll: () => boolean = () => true,
  ) {
    this.counts = carried?.counts ?? { done: 0, failed: 0, bytesDone: 0, bytesSent: 0 };
    this.failures = carried?.failures ?? [];
    this.more = carried?.more ?? emptyCompact();
    this.fatal = carried?.fatal ?? null;
    this.shortfall = carried?.shortfall ?? null;
    this.resume = carried?.resume ?? null;
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
    return this.shortfall !== null || this.retryableCount() > 0;
  }

  fail(f: FailedFile): void {
    this.counts.failed++;
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push(f);
    else if (f.index !== null && this.keepAll()) addCompact(this.more, { ...f, index: f.index });
  }

  /** The failures from `offset` on, at most `limit` (MAX_FAILURES_PAGE): those listed in full first. */
  page(offset: number, limit: number): FailedFile[] {
    const from = Math.max(0, Math.floor(offset));
    const count = Math.max(0, Math.min(Math.floor(limit), MAX_FAILURES_PAGE));
    const listed = this.failures.slice(from, from + count);
    const moreFrom = Math.max(0, from - this.failures.length);
    return [...listed, ...expandCompact(this.more, moreFrom, count - listed.length)];
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

  /** Saving again: photos an earlier transfer copied already; counted once, when its gallery folder is taken. */
  skip(files: number): void {
    this.counts.skipped = files;
  }

  /** Photos neither copied, failed nor skipped. */
  private left(total: number): number {
    return total - this.counts.done - this.counts.failed - (this.counts.skipped ?? 0);
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
    this.fail({ index: outcome.index, name: nameOf(file), code: outcome.code, reason: outcome.reason, target: file.target, targetSpent: facts.targetSpent });
    if (facts.accountWide) this.stop(outcome.reason);
  }

  retryable(): FailedFile[] {
    const listed = this.failures.filter((f) => f.index !== null);
    return this.more.index.length > 0 ? [...listed, ...expandCompact(this.more)] : listed;
  }

  /** Photos a retry would copy: the failed ones and those of the pages never loaded. */
  retryableCount(): number {
    return this.failures.filter((f) => f.index !== null).length + this.more.index.length + (this.resume?.files ?? 0);
  }

  /**
   * Takes the retryable failures (and the pages never loaded) off the books for a retry: they are counted again
   * by their new outcomes.
   */
  takeRetryable(): { again: FailedFile[]; resume: Resume | null } {
    const again = this.retryable();
    const { resume } = this;
    this.failures = this.failures.filter((f) => f.index === null && !(resume && f.code === NOT_ATTEMPTED));
    this.more = emptyCompact();
    this.counts.failed -= again.length + (resume?.files ?? 0);
    this.fatal = null;
    this.shortfall = null;
    this.resume = null;
    return { again, resume };
  }

  /** After a stop (transfers from before resume points): the photos never attempted count as failed, in one entry. */
  notAttempted(total: number): void {
    if (!this.fatal) return;
    const left = this.left(total);
    if (left > 0) {
      this.fail({ index: null, name: `(${left} photo(s) not attempted)`, code: NOT_ATTEMPTED, reason: this.fatal });
      this.counts.failed += left - 1;
    }
  }

  /**
   * After a stop: the files of a page that were not started fail one by one (with their reserved targets), and the
   * pages from `page` on are remembered as the resume point; all of them can be retried.
   */
  stopped(unstarted: UnitFile[], page: number, total: number): void {
    if (!this.fatal) return;
    for (const file of unstarted) this.fail({ index: file.index, name: nameOf(file), code: NOT_ATTEMPTED, reason: this.fatal, target: file.target });
    const left = this.left(total);
    this.resume = left > 0 ? { page, files: left } : null;
    this.notAttempted(total);
  }

  /** After a cancellation: whatever was not copied or failed already counts as failed. */
  cancelledRest(total: number): void {
    this.counts.failed += Math.max(0, this.left(total));
  }

  /**
   * `failed` only when nothing was copied (nor found copied before); a stop after some photos were copied is
   * `partially_failed` (with its error).
   */
  outcomeOf(error: string | undefined, total: number): Exclude<TransferState, 'running' | 'waiting_quota' | 'cancelled'> {
    if (this.counts.done + (this.counts.skipped ?? 0) === 0 && (error || total > 0)) return 'failed';
    return error || this.counts.failed > 0 ? 'partially_failed' : 'succeeded';
  }

  carried(): LedgerState {
    const more = this.more.index.length > 0 ? { more: this.more } : {};
    const shortfall = this.shortfall ? { shortfall: this.shortfall } : {};
    return { counts: this.counts, failures: this.failures, ...more, fatal: this.fatal, ...(this.resume ? { resume: this.resume } : {}), ...shortfall };
  }

  progress(view: {
    state: TransferState;
    plan: PlanSummary | undefined;
    root: CreatedRoot | undefined;
    startedAt: string;
    updatedAt: string;
    retryWindowEndsAt: string | null;
    error: string | null;
    callback: { delivered: boolean | null; error: string | null };
  }): TransferProgress {
    return {
      state: view.state,
      filesTotal: totalOf(view.plan),
      filesDone: this.counts.done,
      filesSkipped: this.counts.skipped ?? 0,
      filesFailed: this.counts.failed,
      bytesTotal: view.plan?.bytesTotal ?? 0,
      bytesDone: this.counts.bytesDone,
      folderUrl: view.root?.url ?? null,
      startedAt: view.startedAt,
      updatedAt: view.updatedAt,
      retryWindowEndsAt: view.retryWindowEndsAt,
      error: view.error,
      ...(this.shortfall ? { shortfall: this.shortfall } : {}),
      callbackDelivered: view.callback.delivered,
      callbackError: view.callback.error,
    };
  }
}

function nameOf(file: UnitFile): string {
  return file.folder ? `${file.folder}/${file.name}` : file.name;
}
