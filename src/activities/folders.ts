import { Context } from '@temporalio/activity';
import { TransferError } from '../shared/errors';
import type { Providers } from '../providers';
import { placeInChain } from '../source/folder-tree';
import { capResumesAt } from './daily-cap';
import type { ListingCache } from './listing';
import { targetOf } from './targets';
import type { FolderBatch, FolderBatchResult } from './types';

/** Heartbeats at least this often while a create waits (pacing, rate limits), so a dead worker is noticed. */
const HEARTBEAT_EVERY_MS = 5_000;
/** Share of the activity's time limit after which it hands back what it made instead of risking the timeout. */
const SOFT_DEADLINE_SHARE = 0.8;

export interface FolderDeps {
  providers: Providers;
  listings: ListingCache;
  /** QUOTA_PROBE_MINUTES: when a daily cap without a published reset time is tried again. */
  quotaProbeMinutes: number;
}

/**
 * Makes the album folders `from`, `from + 1`, … in creation order (see folder-tree.ts), one reserved target each.
 * The folder paths come from the (fingerprinted) listing, not from the workflow, so no payload carries the tree.
 *
 * Each folder made is heartbeated; a retried attempt starts after the ones its predecessor reported and meets
 * the rest as folders it made before (the provider answers the same reference), so a crash costs at most the
 * creates since the last heartbeat that got through — never a finished batch. When the pace is slow (rate
 * limits), it stops early with what it made: the workflow records that and asks for the rest in the next batch.
 * So does a daily cap (with `parkOnCap`), saying when it resets: the workflow parks the lane until then.
 */
export async function createFolderBatch(deps: FolderDeps, batch: FolderBatch): Promise<FolderBatchResult> {
  const ctx = Context.current();
  const stopBy = Date.now() + ctx.info.startToCloseTimeoutMs * SOFT_DEADLINE_SHARE;
  const { folders } = await deps.listings.matching(batch.listingUrl, batch.fingerprint);
  const provider = deps.providers.forTransfer(batch.cloudType, batch.transferId, batch.sealedRefreshToken);
  const refs = earlierRefs(ctx.info.heartbeatDetails, batch.targets.length);
  let chain = batch.chain;
  for (const [i, ref] of refs.entries()) chain = placeInChain(chain, folders, batch.from + i).extend(ref);

  const ticker = setInterval(() => ctx.heartbeat({ refs }), HEARTBEAT_EVERY_MS);
  try {
    while (refs.length < batch.targets.length && !(refs.length > 0 && Date.now() > stopBy)) {
      const index = batch.from + refs.length;
      const place = placeInChain(chain, folders, index);
      let ref: string;
      try {
        ref = await provider.createFolder({
          transferId: batch.transferId,
          path: folders[index]!,
          parentRef: place.parent?.ref ?? batch.rootRef,
          target: targetOf(batch.targets[refs.length]!),
          rootRef: batch.rootRef,
          ...(batch.reuse ? { reuse: true } : {}),
        });
      } catch (err) {
        if (!(batch.parkOnCap && err instanceof TransferError && err.dailyCap)) throw err;
        return { refs, chain, dailyCap: { resumesAt: capResumesAt(err.dailyCap, deps.quotaProbeMinutes) } };
      }
      refs.push(ref);
      chain = place.extend(ref);
      ctx.heartbeat({ refs });
    }
  } finally {
    clearInterval(ticker);
  }
  return { refs, chain };
}

/** The references an earlier attempt of this batch heartbeated: a hint (the last heartbeats may be lost). */
function earlierRefs(details: unknown, max: number): string[] {
  const refs = (details as { refs?: unknown } | undefined)?.refs;
  return Array.isArray(refs) && refs.every((r) => typeof r === 'string') ? refs.slice(0, max) : [];
}
