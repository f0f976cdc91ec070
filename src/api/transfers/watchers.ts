import type { Logger } from '../../shared/logger';
import type { TransferOperation } from './operation';
import { STATUS_READING_MS, type TransferStatusSource } from './status-source';

export interface Snapshot {
  version: number;
  operation: TransferOperation;
}

type Listener = (snapshot: Snapshot | null) => void;

/**
 * One watcher per transfer per API process, however many browsers stream it: it reads the status once a second
 * while someone listens (the reading GETs share) and tells every listener when the operation changed. `null` = the transfer is unknown.
 * Versions count changes, so a reconnecting EventSource (Last-Event-ID) is not sent what it already has.
 */
class Watcher {
  readonly listeners = new Set<Listener>();
  last: Snapshot | null = null;
  #timer: NodeJS.Timeout | null = null;
  #json = '';

  constructor(private readonly id: string, private readonly source: TransferStatusSource, private readonly logger: Logger, private readonly onIdle: () => void) {}

  start(): void {
    void this.#poll();
  }

  async #poll(): Promise<void> {
    this.#timer = null;
    try {
      const operation = await this.source.get(this.id);
      if (!operation) return this.#emit(null);
      const json = JSON.stringify(operation);
      if (json !== this.#json) {
        this.#json = json;
        this.last = { version: (this.last?.version ?? 0) + 1, operation };
        this.#emit(this.last);
      }
      if (operation.done) return this.#stop();
    } catch (err) {
      this.logger.warn({ transfer_id: this.id, err: (err as Error).message }, 'transfer status unavailable');
    }
    if (this.listeners.size > 0) this.#timer = setTimeout(() => void this.#poll(), STATUS_READING_MS);
    else this.#stop();
  }

  #emit(snapshot: Snapshot | null): void {
    for (const listener of this.listeners) listener(snapshot);
    if (snapshot === null) this.#stop();
  }

  #stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.listeners.clear();
    this.onIdle();
  }
}

export class TransferWatchers {
  readonly #watchers = new Map<string, Watcher>();

  constructor(private readonly source: TransferStatusSource, private readonly logger: Logger) {}

  get active(): number {
    return this.#watchers.size;
  }

  /** Subscribes; the listener gets the current snapshot at once if there is one. Returns the unsubscribe. */
  subscribe(transferId: string, listener: Listener): () => void {
    let watcher = this.#watchers.get(transferId);
    const fresh = !watcher;
    if (!watcher) {
      const created: Watcher = new Watcher(transferId, this.source, this.logger, () => {
        if (this.#watchers.get(transferId) === created) this.#watchers.delete(transferId);
      });
      watcher = created;
      this.#watchers.set(transferId, watcher);
    }
    watcher.listeners.add(listener);
    if (fresh) watcher.start();
    else if (watcher.last) listener(watcher.last);
    const w = watcher;
    return () => {
      w.listeners.delete(listener);
    };
  }
}
