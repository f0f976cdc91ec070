import { isCancellation } from '@temporalio/workflow';
import type { ChainLink } from '../source/folder-tree';
import type { FileEntry } from '../source/listing';
import { failureMessage, folderActivities, metadata } from './activities';
import { reusesAlbums } from './earlier-copy';
import { parksOnCap, parkUntil, pastDailyCaps } from './quota';
import type { TransferRun } from './run';

/** Where album folder creation stands: the next folder (in creation order) and the chain of the one made last. */
export interface FolderCursor {
  next: number;
  chain: ChainLink[];
}

/**
 * The folder lane: album folders, a batch per activity, in creation order, running ahead of the pages (album
 * creates go first in the pacer, photos fill the gaps). Each batch's result (the references it made) is its
 * progress in the history: a crash or a timeout redoes at most one batch, and a continue-as-new carries only the
 * cursor. A batch reads the paths from the listing itself. Stops between batches for a continue-as-new.
 */
export class FolderLane {
  /** References of the folders this run made or looked up, by index; not carried (it can be as large as the tree). */
  private readonly refs = new Map<number, string>();
  private running: Promise<void> | undefined;
  private pausing = false;

  constructor(
    private readonly run: TransferRun,
    public cursor: FolderCursor,
  ) {}

  start(): void {
    this.running = this.make();
  }

  /** Stops after the batch in flight; resolves once it has ended. Not async: awaiting it adds no step. */
  pause(): Promise<void> | undefined {
    this.pausing = true;
    return this.running;
  }

  /** Resolves once the lane has ended (all folders made, the transfer stopped, or paused). */
  ended(): Promise<void> | undefined {
    return this.running;
  }

  private async make(): Promise<void> {
    const { run } = this;
    const plan = run.plan!;
    try {
      while (this.cursor.next < plan.folderCount && !run.ledger.fatal && !this.pausing) {
        const count = Math.min(plan.settings.foldersPerActivity, plan.folderCount - this.cursor.next);
        const targets = await metadata.reserveTargets({ ...run.credentials, count });
        const batch = { ...run.credentials, ...run.listingRef(), rootRef: run.root!.ref, from: this.cursor.next, targets, chain: this.cursor.chain };
        const made = await folderActivities(plan.settings).createFolderBatch({ ...batch, ...(parksOnCap() ? { parkOnCap: true } : {}), ...reusesAlbums(run) });
        made.refs.forEach((ref, i) => this.refs.set(this.cursor.next + i, ref));
        this.cursor = { next: this.cursor.next + made.refs.length, chain: made.chain };
        // A daily cap stopped the batch: the rest after it resets (the units wait for their folders meanwhile).
        if (made.dailyCap) await parkUntil(run, made.dailyCap.resumesAt);
      }
    } catch (err) {
      // Cancellation reaches the main path through its own waits; anything else stops the transfer.
      if (!isCancellation(err)) run.ledger.stop(failureMessage(err));
    }
  }

  /** The parent reference of each file's folder: made in this run, else looked up (made before a continue-as-new). */
  async parentsOf(entries: FileEntry[]): Promise<(folderIndex: number) => string> {
    const { run } = this;
    const missing = [...new Set(entries.map((e) => e.folderIndex))].filter((i) => i >= 0 && !this.refs.has(i));
    if (missing.length > 0) {
      const lookup = { ...run.credentials, ...run.listingRef(), rootRef: run.root!.ref, indices: missing, ...reusesAlbums(run) };
      const refs = await pastDailyCaps(run, (park) => metadata.findFolders({ ...lookup, ...park }));
      missing.forEach((index, i) => this.refs.set(index, refs[i]!));
    }
    return (folderIndex) => (folderIndex < 0 ? run.root!.ref : this.refs.get(folderIndex)!);
  }
}
