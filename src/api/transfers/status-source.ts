import { WorkflowNotFoundError } from '@temporalio/client';
import type { LazyTemporalClient } from '../../bridge/temporal-client';
import { workflowIdFor } from '../../shared/types';
import { WITHDRAWN_WORKFLOW_TYPE } from '../../temporal/withdraw';
import type { TransferProgress } from '../../workflows';
import { queuedOperation, toOperation, TransferOperation } from './operation';
import { SharedReadings } from './shared-readings';

const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const QUERY_TIMEOUT_MS = 3_000;
const QUEUED_TTL_MS = 24 * 3600_000;
const QUEUED_MAX = 100_000;
/**
 * How long one reading of a transfer (a describe, plus a `progress` query a worker must answer) serves every
 * reader in this process: GETs, and the event-stream watcher, which polls at this interval too.
 */
export const STATUS_READING_MS = 1_000;
const READINGS_MAX = 100_000;

/** What the status needs of Temporal: a client, connected on first use (LazyTemporalClient). */
export type TemporalClientSource = Pick<LazyTemporalClient, 'get'>;

/**
 * Where a transfer's status comes from: the workflow's `progress` query, or its result once it has closed.
 * Between the confirmed publish and the workflow start the job is only in RabbitMQ; this API process remembers
 * the ids it published so it can answer `queued` (another API replica answers 404 for that moment — the
 * bridge normally starts the workflow within milliseconds). Readings are shared (STATUS_READING_MS): a thousand
 * browsers polling one transfer cost Temporal and the workers what one does.
 */
export class TransferStatusSource {
  readonly #queued = new Map<string, string>();
  readonly #readings = new SharedReadings((id) => this.#read(id), { freshMs: STATUS_READING_MS, maxEntries: READINGS_MAX });

  constructor(private readonly temporal: TemporalClientSource) {}

  markQueued(transferId: string): void {
    this.#queued.set(transferId, new Date().toISOString());
    if (this.#queued.size > QUEUED_MAX) this.#queued.delete(this.#queued.keys().next().value!);
    this.#readings.forget(transferId); // a 404 read a moment ago is out of date
  }

  /** null = no such transfer (never reveal more: the id is a bearer capability). */
  async get(transferId: string): Promise<TransferOperation | null> {
    if (!ID_PATTERN.test(transferId)) return null;
    return this.#readings.get(transferId);
  }

  async #read(transferId: string): Promise<TransferOperation | null> {
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
