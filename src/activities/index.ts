import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Config } from '../config';
import type { Sealer } from '../shared/crypto';
import { TransferError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { galleryFolderName } from '../shared/names';
import type { Providers } from '../providers';
import type { CreatedRoot } from '../providers/types';
import type { FileEntry } from '../source/listing';
import type { SourceHttp } from '../source/http';
import { postCompletion } from './callback';
import { answeringDailyCap } from './daily-cap';
import { FairSlots } from './fair-slots';
import { transferFiles } from './files';
import { matchEarlierCopy } from './earlier-copy';
import { createFolderBatch } from './folders';
import { ListingCache } from './listing';
import { reserveFor, targetOf } from './targets';
import type { CompletionReport, Credentials, DailyCapped, EarlierCopyFound, FileUnit, FolderBatch, FolderBatchResult, ListingRef, ParkOnCap, PlanSummary, TransferSettings } from './types';

export interface ActivityDeps {
  config: Config;
  sealer: Sealer;
  providers: Providers;
  http: SourceHttp;
  logger: Logger;
}

const MAX_REJECTED_LISTED = 1000;

/** All side effects of a transfer. The workflow sees these only as types (`import type`). */
export function createActivities(deps: ActivityDeps) {
  const listings = new ListingCache(deps.config, deps.http);
  const slots = new FairSlots(deps.config.WORKER_MAX_CONCURRENT_FILES);
  return withFailureMapping(
    withHeartbeats(['planTransfer', 'loadPage', 'loadEntries', 'reserveTargets', 'freeBytes', 'createRoot', 'findEarlierCopy', 'findFolders', 'revokeAccess'], {
      ...listingActivities(deps, listings),
      ...destinationActivities(deps, listings),
      ...copyActivities(deps, slots),
    }),
  );
}

/** The steps that read the gallery's listing. */
function listingActivities({ config, logger }: ActivityDeps, listings: ListingCache) {
  return {
    /** Reads the listing once and returns what the workflow needs to drive it (not the files themselves). */
    async planTransfer(input: { transferId: string; listingUrl: string }): Promise<PlanSummary> {
      const listing = await listings.get(input.listingUrl, true);
      logger.info({ transfer_id: input.transferId, files: listing.files.length, rejected: listing.rejected.length }, 'listing read');
      return {
        fingerprint: listing.fingerprint,
        filesTotal: listing.files.length,
        bytesTotal: listing.bytesTotal,
        pageCount: Math.ceil(listing.files.length / config.LISTING_PAGE_SIZE),
        folderCount: listing.folders.length,
        rejected: listing.rejected.slice(0, MAX_REJECTED_LISTED),
        rejectedCount: listing.rejected.length,
        settings: planSettings(config),
      };
    },

    /** One page of the plan. Refuses a listing that changed since planning rather than mixing two versions. */
    async loadPage(input: { listingUrl: string; fingerprint: string; page: number; pageSize: number }): Promise<FileEntry[]> {
      const listing = await listings.matching(input.listingUrl, input.fingerprint);
      return listing.files.slice(input.page * input.pageSize, (input.page + 1) * input.pageSize);
    },

    /** Specific entries of the plan, for retrying failed photos. */
    async loadEntries(input: { listingUrl: string; fingerprint: string; indices: number[] }): Promise<FileEntry[]> {
      const listing = await listings.matching(input.listingUrl, input.fingerprint);
      return input.indices.map((i) => listing.files[i]).filter((f): f is FileEntry => f !== undefined);
    },
  };
}

/** The worker's settings a transfer keeps for its whole run (they travel in the plan). */
function planSettings(config: Config): TransferSettings {
  return {
    concurrency: config.TRANSFER_CONCURRENCY,
    filesPerActivity: config.FILES_PER_ACTIVITY,
    pageSize: config.LISTING_PAGE_SIZE,
    multipartMaxBytes: config.MULTIPART_MAX_BYTES,
    maxFileAttempts: 5,
    heartbeatTimeoutSeconds: config.FILE_HEARTBEAT_TIMEOUT_SECONDS,
    retryWindowHours: config.RETRY_WINDOW_HOURS,
    foldersPerActivity: config.FOLDERS_PER_ACTIVITY,
    folderTimeoutSeconds: config.FOLDER_ACTIVITY_TIMEOUT_SECONDS,
  };
}

/** The metadata steps at the destination: ids, space, the gallery folder, subfolders, revoking access. */
function destinationActivities({ providers, config }: ActivityDeps, listings: ListingCache) {
  const forTransfer = (input: Credentials) => providers.forTransfer(input.cloudType, input.transferId, input.sealedRefreshToken);
  return {
    async reserveTargets(input: Credentials & { count: number }): Promise<string[]> {
      return reserveFor(forTransfer(input), input.count);
    },

    /** The space the destination can still take, null when unlimited or when it cannot tell. */
    async freeBytes(input: Credentials & ParkOnCap): Promise<number | null | DailyCapped> {
      const provider = forTransfer(input);
      return answeringDailyCap(input.parkOnCap, config.QUOTA_PROBE_MINUTES, async () => (provider.freeBytes ? provider.freeBytes() : null));
    },

    /** The gallery folder (Photos: its album, which spends daily quota), marked with the gallery when given. */
    async createRoot(input: Credentials & ParkOnCap & { rootName: string; target: string; galleryKey?: string }): Promise<CreatedRoot | DailyCapped> {
      const marked = input.galleryKey ? { galleryKey: input.galleryKey } : {};
      const request = { transferId: input.transferId, rootName: galleryFolderName(input.rootName), target: targetOf(input.target), ...marked };
      return answeringDailyCap(input.parkOnCap, config.QUOTA_PROBE_MINUTES, () => forTransfer(input).createRoot(request));
    },

    /** Saving a gallery again: the earlier copy and what of the listing is in it already (see earlier-copy.ts). */
    async findEarlierCopy(input: Credentials & ListingRef & ParkOnCap & { galleryKey: string; rootName?: string }): Promise<EarlierCopyFound | null | DailyCapped> {
      const provider = forTransfer(input);
      if (!provider.findEarlierCopy) return null;
      const named = input.rootName !== undefined ? { rootName: galleryFolderName(input.rootName) } : {};
      return answeringDailyCap(input.parkOnCap, config.QUOTA_PROBE_MINUTES, async () => {
        const earlier = await provider.findEarlierCopy!({ galleryKey: input.galleryKey, ...named });
        return earlier && matchEarlierCopy(earlier, await listings.matching(input.listingUrl, input.fingerprint));
      });
    },

    /** Heartbeats its own progress (see folders.ts), so it is not among the steps given empty heartbeats. */
    async createFolderBatch(batch: FolderBatch): Promise<FolderBatchResult> {
      return createFolderBatch({ providers, listings, quotaProbeMinutes: config.QUOTA_PROBE_MINUTES }, batch);
    },

    /** References of folders an earlier run made, for a run that no longer holds them (after continue-as-new). */
    async findFolders(input: Credentials & ListingRef & ParkOnCap & { rootRef: string; indices: number[]; reuse?: boolean }): Promise<string[] | DailyCapped> {
      const { folders } = await listings.matching(input.listingUrl, input.fingerprint);
      const reuse = input.reuse ? { reuse: true } : {};
      const request = { transferId: input.transferId, rootRef: input.rootRef, paths: input.indices.map((i) => folders[i]!), ...reuse };
      return answeringDailyCap(input.parkOnCap, config.QUOTA_PROBE_MINUTES, () => forTransfer(input).findFolders(request));
    },

    async revokeAccess(input: Credentials): Promise<void> {
      await forTransfer(input).revokeAccess();
      providers.forget(input.transferId);
    },
  };
}

/** Copying the files, and telling the gallery at the end. */
function copyActivities({ config, providers, http, logger }: ActivityDeps, slots: FairSlots) {
  return {
    async transferFiles(unit: FileUnit) {
      return transferFiles({ providers, http, sourceHosts: config.SOURCE_URL_HOSTS, slots, logger, quotaProbeMinutes: config.QUOTA_PROBE_MINUTES }, unit);
    },

    async notifyCompletion(report: CompletionReport): Promise<void> {
      await postCompletion(config.COMPLETION_CALLBACK_URL, config.CALLBACK_SECRET, report);
      logger.info({ transfer_id: report.transfer_id, status: report.status, failed_photos: report.failed_photos }, 'completion callback delivered');
    },
  };
}

/** How often the metadata steps heartbeat; the workflow gives them a 30 s heartbeat timeout. */
const METADATA_HEARTBEAT_MS = 5_000;

/**
 * The metadata steps (listing, ids, gallery folder, folder lookups, revoke) heartbeat while they run, with no
 * details, so a worker that dies in one is noticed within the heartbeat timeout instead of the 5-minute
 * start-to-close. transferFiles and createFolderBatch are not among them: they heartbeat their own progress,
 * which an empty heartbeat would erase.
 */
function withHeartbeats<T extends Record<string, (...args: never[]) => Promise<unknown>>>(names: Array<keyof T>, activities: T): T {
  const wrapped: Record<string, unknown> = { ...activities };
  for (const name of names) {
    const fn = activities[name]!;
    wrapped[name as string] = async (...args: never[]) => {
      const ctx = Context.current();
      const timer = setInterval(() => ctx.heartbeat(), METADATA_HEARTBEAT_MS);
      try {
        return await fn(...args);
      } finally {
        clearInterval(timer);
      }
    };
  }
  return wrapped as T;
}

/**
 * Our typed errors become Temporal failures with the error code as type and `nonRetryable` from the one
 * retry predicate, so the workflow's retry policies need no list of error types.
 */
function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof TransferError) {
          throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: !err.retryable });
        }
        throw err;
      }
    };
  }
  return wrapped as T;
}

export type Activities = ReturnType<typeof createActivities>;
