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

  /** Creates (or finds) the gallery folder and its albums. Idempotent for the same plan and reservations. */
  createFolders(plan: FolderPlan): Promise<CreatedFolders>;

  /**
   * Copies one photo, verified: the bytes read match the listing's size and CRC32, and what the destination
   * stored matches what was sent (size and MD5). Resumes from `checkpoint` when given.
   */
  putFile(request: PutFileRequest): Promise<StoredFile>;

  /** Gives up our access to the user's account. */
  revokeAccess(): Promise<void>;
}

export interface FolderPlan {
  transferId: string;
  rootName: string;
  /** Album paths, parents before children ("" is not listed: it is the root). */
  folders: string[];
  /** One reserved target for the root and one per folder, in the same order ([root, ...folders]). */
  targets: string[];
}

export interface CreatedFolders {
  /** Folder reference per album path; "" maps to the gallery folder. */
  folderIds: Record<string, string>;
  /** Where the user finds the gallery. */
  rootUrl: string;
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
