import type { OpKind } from './faults';

/** Bytes received over the wire for one upload attempt (one resumable session or one simple upload). */
export interface UploadRecord {
  /** How the bytes came: one resumable session, or one multipart/media request; Photos: one session or raw request. */
  kind: 'resumable' | 'multipart' | 'media' | 'photosResumable' | 'photosRaw';
  /** '' for a multipart request whose body was cut off before its metadata could be read. */
  fileName: string;
  /** The pre-generated id from the metadata, or the id of the file the upload created. */
  fileId?: string;
  bytes: number;
}

export class GoogleStats {
  readonly requests: Partial<Record<OpKind, number>> = {};
  writes = 0;
  /** Rate-limit answers, from the write limiter and from injected `rateLimit` faults. */
  rateLimited = 0;
  readonly rateLimitedByOp: Partial<Record<OpKind, number>> = {};
  uploadBytesReceived = 0;
  tokenRefreshes = 0;
  /** Metadata-only creates (folders, empty files) that reached Drive, by the id they asked for (more than one: sent again). */
  readonly metadataCreatesById = new Map<string, number>();
  /** Metadata-only creates answered 409: the id already named a file. */
  metadataConflicts = 0;
  unauthorized = 0;
  private readonly uploads: UploadRecord[] = [];

  count(op: OpKind): void {
    this.requests[op] = (this.requests[op] ?? 0) + 1;
  }

  noteRateLimited(op: OpKind): void {
    this.rateLimited += 1;
    this.rateLimitedByOp[op] = (this.rateLimitedByOp[op] ?? 0) + 1;
  }

  openUpload(kind: UploadRecord['kind'], fileName: string, fileId?: string): UploadRecord {
    const record: UploadRecord = { kind, fileName, fileId, bytes: 0 };
    this.uploads.push(record);
    return record;
  }

  get bytesReceivedByFileName(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const { fileName, bytes } of this.uploads) totals[fileName] = (totals[fileName] ?? 0) + bytes;
    return totals;
  }

  /** Every upload attempt so far, oldest first (copies). */
  uploadRecords(): UploadRecord[] {
    return this.uploads.map((u) => ({ ...u }));
  }

  /** Sum over every session / retry that targeted this file name or id. */
  uploadBytesReceivedFor(fileNameOrId: string): number {
    return this.uploads
      .filter((u) => u.fileName === fileNameOrId || u.fileId === fileNameOrId)
      .reduce((sum, u) => sum + u.bytes, 0);
  }
}
