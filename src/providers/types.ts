import type { TransferError } from '../shared/errors';
import type { FileEntry } from '../source/listing';

/**
 * What a destination (Google Drive, Yandex Disk, …) must do for a transfer. The workflow and the activities speak
 * only this interface; everything provider-specific — ids, upload protocols, error codes — stays behind it, and
 * where destinations differ the interface says so (optional reserveTargets, StoredFile.verified, the flags of
 * TransferError) rather than one imitating another. Every destination passes the contract suite
 * (test/contract/destination-contract.ts; see README.md here).
 */
export interface DestinationProvider {
  /**
   * Only for destinations whose items are named by ids they hand out (Drive: pre-generated file ids). Reserves one
   * opaque target per item before anything is written. The workflow records them in its history, so every retry
   * of an item writes to the same target and a retry after a lost response finds the item instead of creating a
   * second one. A destination whose paths are the identity (Yandex Disk) has none: its requests carry no target.
   */
  reserveTargets?(count: number): Promise<string[]>;

  /**
   * Creates (or, on a retry, finds) the gallery folder at the top of the user's storage.
   */
  createRoot(request: RootRequest): Promise<CreatedRoot>;

  /**
   * Creates one album folder in `parentRef` (a reference createRoot or createFolder answered). A retry of the same
   * request finds the folder it made before (lost answer, crash) and answers the same reference: it never makes a
   * second one. Returns the folder's reference.
   */
  createFolder(request: FolderRequest): Promise<string>;

  /**
   * References of album folders this transfer made earlier, by their paths below the gallery folder, for a
   * workflow run that no longer holds them (after continue-as-new). In the order asked.
   */
  findFolders(request: FindFoldersRequest): Promise<string[]>;

  /**
   * Copies one photo, verified as far as the destination allows (StoredFile.verified says how far). A copy found
   * wrong is removed if this transfer wrote it and fails with VERIFICATION_FAILED. Resumes from `checkpoint` when
   * given. Failures are TransferErrors from the destination's one classifier, their flags set.
   */
  putFile(request: PutFileRequest): Promise<StoredFile>;

  /**
   * Bytes the user's storage can still take, or null when it sets no limit. Optional: a destination that cannot
   * tell (no such API) is simply not checked before copying.
   */
  freeBytes?(): Promise<number | null>;

  /**
   * Optional second step, for destinations where an upload is not yet a file (Google Photos: an upload token that
   * mediaItems:batchCreate turns into a media item). With it, putFile answers uploads with `pending` set, and the
   * activity hands its unit's uploaded files here (the provider batches them within its own limits). A retry of
   * an item whose earlier commit may have landed must find what it made, never make a second one. Without it,
   * putFile's answer is final.
   */
  commitFiles?(request: CommitRequest): Promise<CommitOutcome[]>;

  /**
   * Optional: for saving a gallery again (the default), the gallery folder an earlier transfer of the same gallery
   * (`RootRequest.galleryKey`) made in this account, and the photos we wrote under it, found by the marks we put on
   * them; the newest folder if there are several. Null when there is none, or the user removed or trashed it: the
   * transfer then makes a new one. A destination without it always makes a new gallery folder.
   */
  findEarlierCopy?(request: EarlierCopyRequest): Promise<EarlierCopy | null>;

  /** Gives up our access to the user's account. */
  revokeAccess(): Promise<void>;
}

export interface EarlierCopyRequest {
  galleryKey: string;
  /**
   * The gallery folder's name (as RootRequest.rootName), for a destination that finds its gallery folders by name
   * (Google Photos: albums carry no marks of ours, only their items do). Unset by workflows from before it.
   */
  rootName?: string;
}

export interface EarlierCopy {
  root: CreatedRoot;
  /** The photos we wrote under it (any album), as the gallery's photo id and the CRC32 recorded when writing. */
  files: Array<{ sourceId: number; crc: string }>;
}

export interface RootRequest {
  transferId: string;
  rootName: string;
  /** One reserved target, the same on every retry; only for a destination that reserves them. */
  target?: string;
  /** Which gallery this is (gallery id and archive type), marked on the folder so a later save finds it. */
  galleryKey?: string;
}

export interface CreatedRoot {
  /** What albums and photos at the top of the gallery name as their parent. */
  ref: string;
  /** Where the user finds the gallery. */
  url: string;
}

export interface FolderRequest {
  transferId: string;
  /** Path below the gallery folder, segments joined by "/"; identifies the folder within the transfer. */
  path: string;
  parentRef: string;
  /** One reserved target for this folder, the same on every retry; only for a destination that reserves them. */
  target?: string;
  /** The gallery folder's reference, marked on the album so a later save of the gallery finds it. */
  rootRef?: string;
  /**
   * The gallery folder is an earlier transfer's (saving again): an album already there with this path is answered,
   * not made twice.
   */
  reuse?: boolean;
}

export interface FindFoldersRequest {
  transferId: string;
  rootRef: string;
  paths: string[];
  /** As FolderRequest.reuse: the albums may be an earlier transfer's, found by the gallery folder's mark. */
  reuse?: boolean;
}

export interface PutFileRequest {
  transferId: string;
  file: FileEntry;
  /** The photo's reserved target, the same on every retry; only for a destination that reserves them. */
  target?: string;
  parentId: string;
  /** The gallery folder's reference, marked on the photo (with its CRC32) so a later save of the gallery skips it. */
  rootRef?: string;
  /**
   * Which gallery this is (as RootRequest.galleryKey), for a destination that marks it on each photo rather than on
   * the gallery folder (Google Photos: an album cannot carry it).
   */
  galleryKey?: string;
  /** The photo's bytes from `offset` to its end (SSRF-guarded, size-checked). */
  read(offset: number): AsyncIterable<Buffer>;
  /** Provider-defined progress state saved by the last attempt (JSON); a hint, not the truth. */
  checkpoint: unknown;
  saveCheckpoint(checkpoint: unknown): void;
  signal: AbortSignal;
}

/**
 * What a copy was checked against. `crc32`: the bytes read from the gallery match the listing's CRC32. `size`: the
 * destination stored as many bytes as the listing says. `md5`: the destination's MD5 of what it stored equals the
 * MD5 of the bytes we read. A destination that downloads the photo itself (Yandex's server-side fetch) sees none
 * of the bytes, and reports `size` only.
 */
export type Verification = 'crc32' | 'size' | 'md5';

export interface StoredFile {
  id: string;
  size: number;
  /** The checks this copy passed; never empty. */
  verified: Verification[];
  /** Bytes we actually sent over the wire for this file in this call (to measure re-sends). */
  bytesSent: number;
  /** Set when the upload still needs commitFiles: what that needs (JSON, kept in heartbeats; sealed where secret). */
  pending?: unknown;
}

export interface CommitRequest {
  transferId: string;
  items: CommitItem[];
  signal: AbortSignal;
}

export interface CommitItem {
  file: FileEntry;
  parentId: string;
  /** StoredFile.pending of its upload. */
  pending: unknown;
  /** A commit of it was started before and its outcome is unknown (a lost answer, a crash). */
  maybeCommitted: boolean;
}

/** Per item, in the order asked. `reupload`: the upload can no longer be committed (expired): upload it again. */
export type CommitOutcome = { ok: true; id: string } | { ok: false; error: TransferError; reupload: boolean };
