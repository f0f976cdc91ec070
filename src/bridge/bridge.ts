import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { assertTopology } from '../amqp/topology';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { BackoffOptions, DEFAULT_BACKOFF, backoffDelay, sleep } from './backoff';
import { StartWorkflow, handleMessage } from './handle-message';

export interface BridgeOptions {
  config: Pick<Config, 'AMQP_URL' | 'AMQP_QUEUE' | 'AMQP_PREFETCH' | 'GALLERY_API_URL'>;
  logger: Logger;
  startWorkflow: StartWorkflow;
  /** Delays for retrying a failed start and for reconnecting; defaults 1 s doubling to 30 s. */
  backoff?: BackoffOptions;
}

export interface Bridge {
  /** Starts consuming; resolves once the first consumer is up (or stop() was called first). */
  start(): Promise<void>;
  /** Cancels the consumer, lets in-flight starts finish and ack, then disconnects. */
  stop(): Promise<void>;
  /** For a readiness probe: connected to RabbitMQ and consuming. */
  isConnected(): boolean;
}

/** One connection and its channel; `lost` aborts when the connection closes. */
interface Session {
  connection: ChannelModel;
  channel: Channel;
  consumerTag?: string;
  lost: AbortSignal;
  closed: Promise<void>;
}

export function createBridge(options: BridgeOptions): Bridge {
  return new AmqpBridge(options);
}

class AmqpBridge implements Bridge {
  readonly #logger: Logger;
  readonly #backoff: BackoffOptions;
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #session: Session | null = null;
  #loop: Promise<void> | null = null;

  constructor(private readonly options: BridgeOptions) {
    this.#logger = options.logger;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  start(): Promise<void> {
    if (this.#loop) return Promise.reject(new Error('bridge already started'));
    return new Promise((resolve) => {
      this.#loop = this.#run(resolve);
    });
  }

  async stop(): Promise<void> {
    this.#stopping.abort(); // ends reconnect waits and the retry waits of held messages
    await this.#loop;
  }

  isConnected(): boolean {
    return this.#session !== null && !this.#session.lost.aborted;
  }

  /** Connect, consume until the connection is lost, wait, reconnect — until stop(). */
  async #run(onConsuming: () => void): Promise<void> {
    const stopping = this.#stopping.signal;
    const stopped = new Promise<void>((resolve) => stopping.addEventListener('abort', () => resolve(), { once: true }));
    for (let attempt = 0; !stopping.aborted; attempt++) {
      let session: Session | null = null;
      try {
        session = await this.#connect();
        this.#session = session;
        await this.#consume(session);
        attempt = 0;
        this.#logger.info({ queue: this.options.config.AMQP_QUEUE }, 'consuming transfer jobs');
        onConsuming();
        await Promise.race([session.closed, stopped]);
        if (!stopping.aborted) this.#logger.warn('lost the RabbitMQ connection; reconnecting');
      } catch (err) {
        this.#logger.warn({ err: (err as Error).message, attempt: attempt + 1 }, 'could not consume from RabbitMQ; retrying');
        await session?.connection.close().catch(() => undefined);
      }
      if (session && stopping.aborted) await this.#drain(session);
      this.#session = null;
      await sleep(backoffDelay(attempt, this.#backoff), stopping);
    }
    onConsuming(); // a start() still waiting for its first consumer returns once stopped
  }

  async #connect(): Promise<Session> {
    const { AMQP_URL, AMQP_QUEUE, AMQP_PREFETCH } = this.options.config;
    const connection = await amqp.connect(AMQP_URL, { clientProperties: { connection_name: 'cloud-archive bridge' } });
    // Without an 'error' listener a broker restart would crash the process; 'close' follows and drives recovery.
    connection.on('error', (err: Error) => this.#logger.warn({ err: err.message }, 'RabbitMQ connection error'));
    const lost = new AbortController();
    const closed = new Promise<void>((resolve) => {
      connection.once('close', () => {
        lost.abort();
        resolve();
      });
    });
    try {
      const channel = await connection.createChannel();
      channel.on('error', (err: Error) => this.#logger.warn({ err: err.message }, 'RabbitMQ channel error'));
      // A channel closed by the broker (e.g. consumer timeout) leaves the connection open: drop it to recover.
      channel.once('close', () => connection.close().catch(() => undefined));
      await assertTopology(channel, AMQP_QUEUE);
      await channel.prefetch(AMQP_PREFETCH);
      return { connection, channel, lost: lost.signal, closed };
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  async #consume(session: Session): Promise<void> {
    const signal = AbortSignal.any([session.lost, this.#stopping.signal]);
    const { consumerTag } = await session.channel.consume(
      this.options.config.AMQP_QUEUE,
      (message) => this.#onDelivery(message, session, signal),
      { noAck: false },
    );
    session.consumerTag = consumerTag;
  }

  /** Graceful end: no new deliveries, in-flight starts finish and ack, then disconnect. */
  async #drain(session: Session): Promise<void> {
    if (session.consumerTag) await session.channel.cancel(session.consumerTag).catch(() => undefined);
    await Promise.allSettled(this.#inFlight);
    await session.connection.close().catch(() => undefined);
  }

  #onDelivery(message: ConsumeMessage | null, session: Session, signal: AbortSignal): void {
    if (message === null) {
      // RabbitMQ cancelled the consumer (queue deleted): reconnecting re-declares the topology and consumes again.
      this.#logger.warn('RabbitMQ cancelled the consumer; reconnecting');
      session.connection.close().catch(() => undefined);
      return;
    }
    const handling = handleMessage(message, session.channel, signal, {
      config: this.options.config,
      logger: this.#logger,
      startWorkflow: this.options.startWorkflow,
      backoff: this.#backoff,
    }).catch((err: unknown) => this.#logger.error({ err: (err as Error).message }, 'message handler failed'));
    this.#inFlight.add(handling);
    void handling.finally(() => this.#inFlight.delete(handling));
  }
}
