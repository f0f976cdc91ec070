import { isCancellation, log, patched } from '@temporalio/workflow';
import type { EarlierCopyFound } from '../activities/types';
import type { CreatedRoot } from '../providers/types';
import { inSkipSet } from '../shared/skip-set';
import type { FileEntry } from '../source/listing';
import { failureMessage, metadata } from './activities';
import { parkingAtDailyCaps, pastDailyCaps } from './quota';
import type { TransferRun } from './run';

/**
 * Saving a gallery again (#15): by default a transfer of a gallery (gallery id and archive type) goes into the
 * gallery folder an earlier transfer of it made in the same account, and copies only the photos not there yet
 * (matched by the gallery's photo id and CRC32: a photo changed at the source is copied beside the old one). Nothing
 * is deleted or overwritten. The destination finds the earlier copy (DestinationProvider.findEarlierCopy; one
 * without it always makes a new folder), the activity matches it against the listing, and the workflow keeps only
 * the compact skip set. `separateCopy` in the request asks for a new folder instead.
 */

/** Workflows started before save-again replay without it (docs/deployment.md, "Upgrading…"). */
const SAVE_AGAIN = 'save-again';

/** What the run keeps of an adopted gallery folder: the listing entries it holds already (src/shared/skip-set.ts). */
export interface Adopted {
  skip: string;
}

/** Marked on the gallery folder we make, and searched for when the gallery is saved again. */
export function galleryKeyOf(input: { galleryId: string; archiveType: string }): string {
  return `${input.galleryId}:${input.archiveType}`;
}

/**
 * The earlier copy to add to, or null: a separate copy was asked for, there is none, or the transfer is older. A
 * lookup that fails after its retries costs a separate copy, never the transfer (e.g. during a rolling update a
 * worker from before this release, which lacks the step, kept getting it). A daily cap (Photos' lookup spends its
 * quota) parks instead, as the steps after it do: a separate copy there would add every photo to the albums again.
 * Only a lookup's answer can be a cap, so histories from before replay as they ran.
 */
export async function findEarlierCopy(run: TransferRun): Promise<EarlierCopyFound | null> {
  if (!patched(SAVE_AGAIN) || run.input.separateCopy) return null;
  const lookup = { ...run.credentials, ...run.listingRef(), galleryKey: galleryKeyOf(run.input), rootName: run.input.galleryName };
  try {
    return await parkingAtDailyCaps(run, (park) => metadata.findEarlierCopy({ ...lookup, ...park }));
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('could not look for an earlier copy of the gallery: making a new gallery folder', { error: failureMessage(err) });
    return null;
  }
}

/** The gallery folder: the earlier copy's, its photos counted as skipped; else a new one, marked with the gallery. */
export async function galleryFolder(run: TransferRun, earlier: EarlierCopyFound | null): Promise<CreatedRoot> {
  if (earlier) {
    run.adopted = { skip: earlier.skip };
    run.ledger.skip(earlier.files);
    return earlier.root;
  }
  const [target] = await metadata.reserveTargets({ ...run.credentials, count: 1 });
  const request = { ...run.credentials, rootName: run.input.galleryName, target: target!, galleryKey: galleryKeyOf(run.input) };
  return pastDailyCaps(run, (park) => metadata.createRoot({ ...request, ...park }));
}

/** A page's entries without those the adopted gallery folder holds already. */
export function notCopiedBefore(run: TransferRun, entries: FileEntry[]): FileEntry[] {
  const skip = run.adopted?.skip;
  return skip ? entries.filter((e) => !inSkipSet(skip, e.index)) : entries;
}

/**
 * For the photos' marks: the gallery folder they are written under, and the gallery (Photos marks it on each photo).
 * Only activity inputs change, no command: histories from before replay as they are.
 */
export function unitMarks(run: TransferRun): { rootRef?: string; galleryKey?: string } {
  return run.root ? { rootRef: run.root.ref, galleryKey: galleryKeyOf(run.input) } : {};
}

/** For album batches and lookups: whether the albums may be an earlier transfer's. */
export function reusesAlbums(run: TransferRun): { reuse?: true } {
  return run.adopted ? { reuse: true } : {};
}
