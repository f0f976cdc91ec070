import type { FileEntry, RejectedEntry } from '../source/listing';
import type { CloudType } from '../shared/types';

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
}

export interface PlanSummary {
  fingerprint: string;
  filesTotal: number;
  bytesTotal: number;
  pageCount: number;
  folders: string[];
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

export interface UnitFile extends FileEntry {
  target: string;
  parentId: string;
}

export interface FileUnit extends Credentials {
  files: UnitFile[];
  maxAttempts: number;
}

export type FileOutcome =
  | { index: number; ok: true; bytes: number; bytesSent: number }
  | { index: number; ok: false; code: string; reason: string };

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
  folder_url: string | null;
  error?: string;
}
