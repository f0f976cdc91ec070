import { allHandlersFinished, condition, continueAsNew, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Credentials, ListingRef, PlanSummary } from '../activities/types';
import type { CreatedRoot } from '../providers/types';
import type { TransferInput } from '../shared/types';
import { FilesFailed, FilesTotal, TransferState as TransferStateKey } from '../temporal/search-attributes';
import { FolderLane, type FolderCursor } from './folder-lane';
import { Ledger, totalOf, type LedgerState, type TransferProgress, type TransferState } from './ledger';
import type { transferWorkflow } from './transfer';
import type { Adopted } from './earlier-copy';
import { QuotaHold, type Parked } from './quota';
import { UnitWindow } from './window';

/** Continue as new well before Temporal's 51,200-event limit (and our own 10,000 target). */
const HISTORY_EVENTS_BUDGET = 6000;

/** What survives continue-as-new. Not the folders' references: a new run looks up those its files need. */
export interface Carried extends LedgerState {
  phase: 'copying' | 'waiting';
  plan: PlanSummary;
  /** Unset only when the transfer failed before it had a gallery folder. */
  root?: CreatedRoot;
  folderCursor: FolderCursor;
  nextPage: number;
  startedAt: string;
  retryWindowEndsAt: string | null;
  /** The error the last callback carried, for `resendCallback` (unset in runs from before it). */
  lastError?: string | null;
  callback?: { delivered: boolean | null; error: string | null };
  /** Photos a daily cap held when the run continued as new (parked); unset otherwise. */
  parked?: Parked;
  /** Set when the gallery folder is an earlier transfer's (saving again). */
  adopted?: Adopted;
}

/** The state of one run of a transfer workflow, shared by its phases. */
export class TransferRun {
  readonly credentials: Credentials;
  readonly ledger: Ledger;
  readonly window: UnitWindow;
  readonly lane: FolderLane;
  /** Photos held by a daily cap, and when it resets. */
  readonly quota: QuotaHold;
  readonly startedAt: string;
  phase: Carried['phase'];
  state: TransferState = 'running';
  updatedAt = new Date().toISOString();
  plan?: PlanSummary;
  root?: CreatedRoot;
  /** Set when the gallery folder is an earlier transfer's: what of the listing it holds already. */
  adopted?: Adopted;
  nextPage: number;
  retryWindowEndsAt: string | null;
  retryRequested = false;
  resendRequested = false;
  lastError: string | null;
  /** Whether the last completion callback reached the gallery backend. */
  callback: { delivered: boolean | null; error: string | null };

  constructor(
    readonly input: TransferInput,
    carried?: Carried,
  ) {
    this.credentials = { transferId: input.transferId, cloudType: input.cloudType, sealedRefreshToken: input.sealedRefreshToken };
    this.phase = carried?.phase ?? 'copying';
    this.startedAt = carried?.startedAt ?? this.updatedAt;
    this.ledger = new Ledger(carried, () => patched('all-failures-retryable'));
    this.plan = carried?.plan;
    this.root = carried?.root;
    this.adopted = carried?.adopted;
    this.lane = new FolderLane(this, carried?.folderCursor ?? { next: 0, chain: [] });
    this.nextPage = carried?.nextPage ?? 0;
    this.retryWindowEndsAt = carried?.retryWindowEndsAt ?? null;
    this.lastError = carried?.lastError ?? null;
    this.callback = carried?.callback ?? { delivered: null, error: null };
    this.quota = new QuotaHold(carried?.parked);
    this.window = new UnitWindow(() => this.plan!.settings.concurrency);
    if (this.phase === 'waiting') this.state = this.outcomeOf(this.lastError ?? undefined);
  }

  total(): number {
    return totalOf(this.plan);
  }

  outcomeOf(error: string | undefined): Exclude<TransferState, 'running' | 'waiting_quota' | 'cancelled'> {
    return this.ledger.outcomeOf(error, this.total());
  }

  listingRef(): ListingRef {
    return { listingUrl: this.input.listingUrl, fingerprint: this.plan!.fingerprint };
  }

  touch(): void {
    this.updatedAt = new Date().toISOString();
  }

  progress(): TransferProgress {
    const { state, plan, root, startedAt, updatedAt, retryWindowEndsAt } = this;
    const progress = this.ledger.progress({ state, plan, root, startedAt, updatedAt, retryWindowEndsAt, error: this.lastError, callback: this.callback });
    return state === 'waiting_quota' && this.quota.resumesAt ? { ...progress, resumesAt: this.quota.resumesAt } : progress;
  }

  publishState(next: TransferState): void {
    this.state = next;
    this.touch();
    upsertSearchAttributes([
      { key: TransferStateKey, value: this.state },
      { key: FilesTotal, value: this.total() },
      { key: FilesFailed, value: this.ledger.counts.failed },
    ]);
  }

  /**
   * Whether a stop leaves every photo not copied retryable (#12): transfers that reached their stop on an older
   * version collapsed those never attempted into one entry, and a retry window of theirs must replay as it ran.
   */
  retriesAllNotCopied(): boolean {
    return patched('retry-all-not-copied');
  }

  historyIsLong(): boolean {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BUDGET;
  }

  /** When the history has grown long: lets the folder batch and the units in flight finish, then continues as new. */
  async continueIfLong(): Promise<void> {
    if (!this.historyIsLong()) return;
    await this.lane.pause();
    await this.window.idle();
    await condition(allHandlersFinished);
    await continueAsNew<typeof transferWorkflow>(this.input, {
      phase: this.phase,
      plan: this.plan!,
      root: this.root,
      folderCursor: this.lane.cursor,
      nextPage: this.nextPage,
      ...this.ledger.carried(),
      startedAt: this.startedAt,
      retryWindowEndsAt: this.retryWindowEndsAt,
      lastError: this.lastError,
      callback: this.callback,
      ...(this.quota.carried() ? { parked: this.quota.carried() } : {}),
      ...(this.adopted ? { adopted: this.adopted } : {}),
    });
  }
}
