import type { TransferProgress, TransferState } from '../../workflows';

/**
 * A transfer as a long-running operation (SPEC §4, google.longrunning.Operation): the client polls or streams
 * it until `done`. Pure mapping from the workflow's progress.
 */
export type OperationState = 'queued' | TransferState;

export interface TransferOperation {
  name: string;
  done: boolean;
  metadata: {
    state: OperationState;
    files_total: number;
    files_done: number;
    files_failed: number;
    bytes_total: number;
    bytes_done: number;
    folder_url: string | null;
    started_at: string | null;
    updated_at: string | null;
  };
  /** google.rpc.Status: 2 UNKNOWN for a failed transfer, 1 CANCELLED. */
  error?: { code: number; message: string };
}

const TERMINAL = new Set<OperationState>(['succeeded', 'partially_failed', 'failed', 'cancelled']);

export function isDone(state: OperationState): boolean {
  return TERMINAL.has(state);
}

export function toOperation(transferId: string, progress: TransferProgress): TransferOperation {
  const op: TransferOperation = {
    name: `transfers/${transferId}`,
    done: isDone(progress.state),
    metadata: {
      state: progress.state,
      files_total: progress.filesTotal,
      files_done: progress.filesDone,
      files_failed: progress.filesFailed,
      bytes_total: progress.bytesTotal,
      bytes_done: progress.bytesDone,
      folder_url: progress.folderUrl,
      started_at: progress.startedAt,
      updated_at: progress.updatedAt,
    },
  };
  if (progress.state === 'failed') op.error = { code: 2, message: progress.error ?? 'the transfer failed' };
  if (progress.state === 'cancelled') op.error = { code: 1, message: 'the transfer was cancelled' };
  return op;
}

export function queuedOperation(transferId: string, queuedAt: string): TransferOperation {
  return {
    name: `transfers/${transferId}`,
    done: false,
    metadata: {
      state: 'queued',
      files_total: 0,
      files_done: 0,
      files_failed: 0,
      bytes_total: 0,
      bytes_done: 0,
      folder_url: null,
      started_at: null,
      updated_at: queuedAt,
    },
  };
}
