import type { FileEntry } from '../source/listing';

/**
 * What a destination (Google Drive today, Yandex Disk later) must do for a transfer. The workflow and the
 * activities speak only this interface; everything provider-specific — ids, upload protocols, error codes —
 * stays behind it.
 */
export interface DestinationProvider {
  /**
   * Reserves one opaque target per file before anything is uploaded. The workflow records them in its history,
   * so every retry of a file writes to the same target and a retry after a lost response finds the file
   * instead of creating a second one. (Drive: pre-generated file ids.)
   */
  reserveTargets(count: number): Promise<string[]>;

  /**
   * Creates (or, on a retry, finds) the gallery folder at the top of the user's storage. `target` is one reserved
   * target (see reserveTargets).
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
   * Copies one photo, verified: the bytes read match the listing's size and CRC32, and what the destination
   * stored matches what was sent (size and MD5). Resumes from `checkpoint` when given.
   */
  putFile(request: PutFileRequest): Promise<StoredFile>;

  /**
   * Bytes the user's storage can still take, or null when it sets no limit. Optional: a destination that cannot
   * tell (no such API) is simply not checked before copying.
   */
  freeBytes?(): Promise<number | null>;

  /** Gives up our access to the user's account. */
  revokeAccess(): Promise<void>;
}

export interface RootRequest {
  transferId: string;
  rootName: string;
  target: string;
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
  /** One reserved target for this folder, the same on every retry. */
  target: string;
}

export interface FindFoldersRequest {
  transferId: string;
  rootRef: string;
  paths: string[];
}

export interface PutFileRequest {
  transferId: string;
  file: FileEntry;
  target: string;
  parentId: string;
  /** The photo's bytes from `offset` to its end (SSRF-guarded, size-checked). */
  read(offset: number): AsyncIterable<Buffer>;
  /** Provider-defined progress state saved by the last attempt (JSON); a hint, not the truth. */
  checkpoint: unknown;
  saveCheckpoint(checkpoint: unknown): void;
  signal: AbortSignal;
}

export interface StoredFile {
  id: string;
  size: number;
  md5: string;
  /** Bytes we actually sent over the wire for this file in this call (to measure re-sends). */
  bytesSent: number;
}
