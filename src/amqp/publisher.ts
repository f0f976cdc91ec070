import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logger';
import type { TransferJob } from '../shared/job';
import { ConfirmSession } from './confirm-session';
import { PublishError } from './errors';

/** Between two sends of a job whose first copy was lost with its connection (a broker restart takes seconds). */
const RESEND_PAUSE_MS = 250;

/** What the API needs from a publisher; lets tests and the app share one shape. */
export interface JobPublisherLike {
  /**
   * Resolves once RabbitMQ has confirmed the job; rejects with a PublishError otherwise — code 'unconfirmed'
   * when a copy may nevertheless be queued.
   */
  publish(job: TransferJob): Promise<void>;
}

export interface JobPublisherOptions {
  url: string;
  queue: string;
  /** Upper bound for one publish (connect + send + confirm, including re-sends after a lost connection). */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Publishes transfer jobs with publisher confirms. The connection is opened on first use and, after it closes
 * (broker restart, network cut), opened again by the next publish — a broker outage fails publishes, it never
 * crashes the process.
 */
export class JobPublisher implements JobPublisherLike {
  #session: Promise<ConfirmSession> | null = null;
  #closed = false;

  constructor(private readonly options: JobPublisherOptions) {}

  async publish(job: TransferJob): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    const body = Buffer.from(JSON.stringify(job));
    // Set once a copy went out and its connection was lost before the confirm: RabbitMQ may or may not hold
    // it. From then on keep sending (safe: the bridge starts at most one workflow per transfer id) until one
    // copy is confirmed, or leave the doubt to the caller as 'unconfirmed' — never as a plain "not queued".
    let inDoubt = false;
    for (;;) {
      let sent = false;
      try {
        await this.#attempt(body, job.transfer_id, deadline, () => (sent = true));
        return;
      } catch (err) {
        if (!(err instanceof PublishError)) throw err;
        if (err.code === 'timeout') this.#discardSession();
        if (sent && (err.code === 'channel_closed' || err.code === 'timeout')) inDoubt = true;
        const resend =
          inDoubt &&
          !this.#closed &&
          (err.code === 'channel_closed' || err.code === 'broker_unreachable') &&
          Date.now() + RESEND_PAUSE_MS < deadline;
        if (!resend) {
          throw inDoubt ? new PublishError('unconfirmed', 'RabbitMQ did not confirm the job; a copy may be queued', { cause: err }) : err;
        }
        this.options.logger.warn({ transfer_id: job.transfer_id, error_code: err.code }, 'RabbitMQ connection lost before the confirm; publishing again');
        await sleep(RESEND_PAUSE_MS);
      }
    }
  }

  /** True when the publishing channel (opened now if need be) answers RabbitMQ within `timeoutMs`. */
  async ready(timeoutMs = this.options.timeoutMs): Promise<boolean> {
    try {
      await withDeadline(this.#connected().then((session) => session.probe()), Date.now() + timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#session;
    this.#session = null;
    const session = await pending?.catch(() => null);
    await session?.close();
  }

  /**
   * A connection that stops answering (half-open TCP after a broker node vanished) would otherwise swallow
   * every publish until heartbeats notice, minutes later; after a timeout the next publish reconnects instead.
   */
  #discardSession(): void {
    const stale = this.#session;
    this.#session = null;
    stale?.then((session) => session.close(), () => undefined);
  }

  #attempt(body: Buffer, messageId: string, deadline: number, onSend: () => void): Promise<void> {
    const confirmed = this.#connected().then((session) => {
      onSend();
      return session.send(body, messageId);
    });
    return withDeadline(confirmed, deadline);
  }

  #connected(): Promise<ConfirmSession> {
    if (this.#closed) return Promise.reject(new PublishError('closed', 'the publisher is shut down'));
    if (!this.#session) {
      const opening: Promise<ConfirmSession> = ConfirmSession.open({
        url: this.options.url,
        queue: this.options.queue,
        connectTimeoutMs: this.options.timeoutMs,
        logger: this.options.logger,
        onClose: () => {
          if (this.#session === opening) this.#session = null;
        },
      });
      this.#session = opening;
      opening.catch(() => {
        if (this.#session === opening) this.#session = null;
      });
    }
    return this.#session;
  }
}

/**
 * Rejects with a 'timeout' PublishError at the deadline. A confirm that arrives later is ignored; the job may
 * then still be queued, which publish() reports as 'unconfirmed'.
 */
function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PublishError('timeout', 'RabbitMQ did not answer in time')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
