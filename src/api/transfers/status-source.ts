import { WorkflowNotFoundError } from '@temporalio/client';
import type { LazyTemporalClient } from '../../bridge/temporal-client';
import { workflowIdFor } from '../../shared/types';
import { WITHDRAWN_WORKFLOW_TYPE } from '../../temporal/withdraw';
import type { TransferProgress } from '../../workflows';
import { queuedOperation, toOperation, TransferOperation } from './operation';

const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const QUERY_TIMEOUT_MS = 3_000;
const QUEUED_TTL_MS = 24 * 3600_000;
const QUEUED_MAX = 100_000;

/**
 * Where a transfer's status comes from: the workflow's `progress` query, or its result once it has closed.
 * Between the confirmed publish and the workflow start the job is only in RabbitMQ; this API process remembers
 * the ids it published so it can answer `queued` (another API replica answers 404 for that moment — the
 * bridge normally starts the workflow within milliseconds).
 */
export class TransferStatusSource {
  readonly #queued = new Map<string, string>();

  constructor(private readonly temporal: LazyTemporalClient) {}

  markQueued(transferId: string): void {
    this.#queued.set(transferId, new Date().toISOString());
    if (this.#queued.size > QUEUED_MAX) this.#queued.delete(this.#queued.keys().next().value!);
  }

  /** null = no such transfer (never reveal more: the id is a bearer capability). */
  async get(transferId: string): Promise<TransferOperation | null> {
    if (!ID_PATTERN.test(transferId)) return null;
    const client = await this.temporal.get();
    const handle = client.workflow.getHandle(workflowIdFor(transferId));
    try {
      const description = await handle.describe();
      if (description.type === WITHDRAWN_WORKFLOW_TYPE) return null; // its job was never confirmed: no transfer
      const progress =
        description.status.name === 'RUNNING'
          ? await client.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query<TransferProgress>('progress'))
          : await closedProgress(handle, description.status.name);
      this.#queued.delete(transferId);
      return toOperation(transferId, progress);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const queuedAt = this.#queued.get(transferId);
      if (queuedAt && Date.now() - Date.parse(queuedAt) < QUEUED_TTL_MS) return queuedOperation(transferId, queuedAt);
      return null;
    }
  }
}

type Handle = ReturnType<Awaited<ReturnType<LazyTemporalClient['get']>>['workflow']['getHandle']>;

async function closedProgress(handle: Handle, status: string): Promise<TransferProgress> {
  if (status === 'COMPLETED') return (await handle.result()) as TransferProgress;
  // Cancelled/failed/terminated runs have no result: ask the workflow (replayed by a worker) or fall back.
  try {
    return await handle.query<TransferProgress>('progress');
  } catch {
    const now = new Date().toISOString();
    return {
      state: status === 'CANCELED' ? 'cancelled' : 'failed',
      filesTotal: 0, filesDone: 0, filesFailed: 0, bytesTotal: 0, bytesDone: 0,
      folderUrl: null, startedAt: now, updatedAt: now, retryWindowEndsAt: null,
      error: `the workflow ended as ${status.toLowerCase()}`,
    };
  }
}
