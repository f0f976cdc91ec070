import type { ChainLink } from '../source/folder-tree';
import type { FileEntry, RejectedEntry } from '../source/listing';
import type { CloudType } from '../shared/types';
import type { CreatedRoot } from '../providers/types';

/** Inputs and outputs of the activities; plain JSON, readable in the Temporal Web UI. */

export interface TransferSettings {
  /** Activities in flight per transfer. */
  concurrency: number;
  filesPerActivity: number;
  pageSize: number;
  multipartMaxBytes: number;
  maxFileAttempts: number;
  heartbeatTimeoutSeconds: number;
  retryWindowHours: number;
  foldersPerActivity: number;
  folderTimeoutSeconds: number;
}

export interface PlanSummary {
  fingerprint: string;
  filesTotal: number;
  bytesTotal: number;
  pageCount: number;
  /** Album folders to make (their paths stay in the listing: a payload never carries the tree). */
  folderCount: number;
  /** Entries that can never be copied (bad URL, unsafe name…), at most 1,000 listed. */
  rejected: RejectedEntry[];
  rejectedCount: number;
  settings: TransferSettings;
}

export interface Credentials {
  transferId: string;
  cloudType: CloudType;
  sealedRefreshToken: string;
}

/** Which listing, checked by its fingerprint: activities read folder paths and files from it themselves. */
export interface ListingRef {
  listingUrl: string;
  fingerprint: string;
}

/** The next album folders to make: `targets` holds one reserved target per folder, from index `from` on. */
export interface FolderBatch extends Credentials, ListingRef {
  rootRef: string;
  from: number;
  targets: string[];
  /** The folder made last and its ancestors (where the parents of this batch's first folders are). */
  chain: ChainLink[];
  /** As FileUnit.parkOnCap: a daily cap ends the batch with what it made, and says so. */
  parkOnCap?: boolean;
  /** The gallery folder is an earlier transfer's (saving again): albums already in it are taken, not made twice. */
  reuse?: boolean;
}

export interface FolderBatchResult {
  /** References of the folders made, from `from` on; possibly fewer than asked (the rest come in the next batch). */
  refs: string[];
  chain: ChainLink[];
  /** A daily cap ended the batch (only with FolderBatch.parkOnCap): the rest after it resets. */
  dailyCap?: { resumesAt: string };
}

/** As FileUnit.parkOnCap, for the metadata steps (createRoot, freeBytes, findFolders): they answer a cap (DailyCapped). */
export interface ParkOnCap {
  parkOnCap?: boolean;
}

/** A step's answer at a daily cap (only when asked with ParkOnCap): nothing done; the workflow parks until then and asks again. */
export interface DailyCapped {
  dailyCap: { resumesAt: string };
}

export interface UnitFile extends FileEntry {
  target: string;
  parentId: string;
}

export interface FileUnit extends Credentials {
  files: UnitFile[];
  maxAttempts: number;
  /** The gallery folder, marked on each photo for a later save of the gallery (unset by workflows from before). */
  rootRef?: string;
  /** The gallery (id and archive type), marked on each photo where the gallery folder cannot carry it (Photos). */
  galleryKey?: string;
  /**
   * The workflow parks at a daily cap: the unit stops there and reports the files not copied as capped instead of
   * spending attempts. Unset by workflows from before parking (they retry as they did).
   */
  parkOnCap?: boolean;
}

export type FileOutcome =
  /** `id`: what a destination with a commit step created (a media item), so the history records it. */
  | { index: number; ok: true; bytes: number; bytesSent: number; id?: string }
  | ({ index: number; ok: false } & FileFailure);

/**
 * Why a photo failed, with what the destination said about it (TransferError's flags). The flags are absent in
 * outcomes recorded before destinations set them: the workflow then judges by the code (failure-facts.ts).
 */
export interface FileFailure {
  code: string;
  reason: string;
  accountWide?: boolean;
  targetSpent?: boolean;
  /** Not a failure of the photo: a daily cap stopped it (only with FileUnit.parkOnCap); the transfer parks until then. */
  dailyCap?: { resumesAt: string };
}

/**
 * Saving a gallery again: the gallery folder an earlier transfer made, and the listing entries already in it (by
 * photo id and CRC32) as a skip set (src/shared/skip-set.ts), with how many and how many bytes.
 */
export interface EarlierCopyFound {
  root: CreatedRoot;
  skip: string;
  files: number;
  bytes: number;
}

export interface CompletionReport {
  status: 'succeeded' | 'partially_failed' | 'failed' | 'cancelled';
  cloud_type: CloudType;
  archive_type: string;
  failed_photos: number;
  transfer_id: string;
  gallery_name: string;
  archive_url: string;
  files_total: number;
  files_uploaded: number;
  /** Saving again: photos already in the gallery folder from an earlier transfer, not copied again. */
  files_skipped: number;
  folder_url: string | null;
  error?: string;
  /** `not_enough_space`: the destination could not hold the gallery, nothing was copied (with the two figures below). */
  error_code?: string;
  bytes_needed?: number;
  bytes_free?: number;
}
