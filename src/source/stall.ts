import type { Readable } from 'node:stream';
import { TransferError } from '../shared/errors';

/** What counts as progress: this many bytes (or the rest of the body) per stall time, about 1 KiB/s at 60 s. */
export const PROGRESS_BYTES = 64 * 1024;

/**
 * Notices a download that stopped making progress: a server gone silent, or one that trickles a byte now and
 * then — which resets any idle timer and, with the activity heartbeating on its own timer, would hold a copy slot
 * for hours. Only time spent waiting on the source counts, not the time the consumer keeps the bytes (an upload
 * paced by Drive), and every PROGRESS_BYTES received start the count again. When the waiting adds up to the stall
 * time, the request is aborted (through `signal`) and the wait fails with a retryable `source_stalled`.
 */
export class StallWatch {
  readonly #controller = new AbortController();
  #waitedMs = 0;
  #sinceProgress = 0;

  constructor(private readonly stallMs: number, private readonly host: string) {}

  /** Aborted when the download stalls; give it to the request. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Awaits `work` (headers, the next piece of a body) with the stall clock running. */
  async wait<T>(work: Promise<T>): Promise<T> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new TransferError('source_stalled', `${this.host} sent less than ${PROGRESS_BYTES / 1024} KiB in ${this.stallMs / 1000} s`, true);
        this.#controller.abort(err);
        reject(err);
      }, Math.max(0, this.stallMs - this.#waitedMs));
    });
    try {
      return await Promise.race([work, stalled]);
    } finally {
      clearTimeout(timer);
      this.#waitedMs += performance.now() - started;
    }
  }

  /** The body's pieces, each awaited on the stall clock. Stopping early (or a stall) destroys the body. */
  async *pieces(body: Readable): AsyncGenerator<Buffer> {
    const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let finished = false;
    try {
      for (;;) {
        const next = await this.wait(iterator.next());
        if (next.done) {
          finished = true;
          return;
        }
        this.#received(next.value.length);
        yield next.value;
      }
    } finally {
      if (!finished) body.destroy();
    }
  }

  #received(bytes: number): void {
    this.#sinceProgress += bytes;
    if (this.#sinceProgress >= PROGRESS_BYTES) {
      this.#sinceProgress = 0;
      this.#waitedMs = 0;
    }
  }
}
