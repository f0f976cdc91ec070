import { z } from 'zod';
import type { TransferProgress } from '../../workflows';

/**
 * A transfer as a long-running operation (SPEC §4, google.longrunning.Operation): the client polls or streams
 * it until `done`. Pure mapping from the workflow's progress.
 */
export const operationStates = ['queued', 'running', 'waiting_quota', 'succeeded', 'partially_failed', 'failed', 'cancelled'] as const;
export type OperationState = (typeof operationStates)[number];

/** The response schema; also the source of the OpenAPI description. */
export const transferOperationSchema = z
  .object({
    name: z.string().describe('transfers/<transfer_id>'),
    done: z.boolean().describe('true once the transfer reached a terminal state'),
    metadata: z.object({
      state: z.enum(operationStates),
      files_total: z.number().int(),
      files_done: z.number().int().describe('photos copied by this transfer'),
      files_skipped: z.number().int().describe('saving a gallery again: photos already in the gallery folder from an earlier transfer, not copied again'),
      files_failed: z.number().int(),
      bytes_total: z.number().int(),
      bytes_done: z.number().int(),
      folder_url: z.string().nullable().describe('the gallery folder in the destination'),
      started_at: z.string().nullable(),
      updated_at: z.string().nullable(),
      resumes_at: z
        .string()
        .optional()
        .describe("with waiting_quota: when the transfer tries again (the destination's daily cap was reached; nothing failed for it)"),
      error_code: z.enum(['not_enough_space']).optional().describe('why a failed transfer never started'),
      bytes_needed: z.number().int().optional().describe('with not_enough_space: bytes the gallery needs'),
      bytes_free: z.number().int().optional().describe('with not_enough_space: bytes free in the destination'),
    }),
    error: z.object({ code: z.number().int().describe('google.rpc.Code: 2 UNKNOWN (failed), 1 CANCELLED'), message: z.string() }).optional(),
  })
  .meta({ id: 'TransferOperation' });

export type TransferOperation = z.infer<typeof transferOperationSchema>;

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
      files_skipped: progress.filesSkipped ?? 0,
      files_failed: progress.filesFailed,
      bytes_total: progress.bytesTotal,
      bytes_done: progress.bytesDone,
      folder_url: progress.folderUrl,
      started_at: progress.startedAt,
      updated_at: progress.updatedAt,
    },
  };
  if (progress.state === 'waiting_quota' && progress.resumesAt) op.metadata.resumes_at = progress.resumesAt;
  if (progress.shortfall) {
    Object.assign(op.metadata, { error_code: 'not_enough_space', bytes_needed: progress.shortfall.bytesNeeded, bytes_free: progress.shortfall.bytesFree });
  }
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
      files_skipped: 0,
      files_failed: 0,
      bytes_total: 0,
      bytes_done: 0,
      folder_url: null,
      started_at: null,
      updated_at: queuedAt,
    },
  };
}
