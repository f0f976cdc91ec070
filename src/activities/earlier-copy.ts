import type { EarlierCopy } from '../providers/types';
import { encodeSkipSet, photoKey } from '../shared/skip-set';
import type { Listing } from '../source/listing';
import type { EarlierCopyFound } from './types';

/**
 * Saving a gallery again: which entries of the listing the earlier copy holds already, by the gallery's photo id
 * and CRC32 (a photo changed at the source has a new CRC32 and is copied beside the old one). Done here, in the
 * activity, so the workflow receives a compact skip set instead of the destination's list of files.
 */
export function matchEarlierCopy(earlier: EarlierCopy, listing: Pick<Listing, 'files'>): EarlierCopyFound {
  const there = new Set(earlier.files.map((f) => photoKey(f.sourceId, f.crc)));
  const skipped = listing.files.filter((f) => there.has(photoKey(f.sourceId, f.crc)));
  return {
    root: earlier.root,
    skip: encodeSkipSet(skipped.map((f) => f.index), listing.files.length),
    files: skipped.length,
    bytes: skipped.reduce((sum, f) => sum + f.size, 0),
  };
}
