import * as amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '../shared/logger';
import { PublishError } from './errors';
import { assertTopology } from './topology';

export interface ConfirmSessionOptions {
  url: string;
  queue: string;
  /** Bounds the TCP connect; the publisher bounds the whole publish separately. */
  connectTimeoutMs: number;
  logger: Logger;
  /** Called once when the connection or channel goes away, for whatever reason. */
  onClose: () => void;
}

/** One connection with one confirm channel on which the transfer topology has been declared. */
export class ConfirmSession {
  #alive = true;
  // Message ids RabbitMQ returned as unroutable. The broker sends basic.return before the confirm of the same
  // message, so the confirm callback can tell "confirmed but dropped" from "queued". Counted, not a set, in
  // case the same job is published twice at once (a double click on Google's "Allow").
  readonly #returned = new Map<string, number>();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly queue: string,
  ) {}

  static async open(options: ConfirmSessionOptions): Promise<ConfirmSession> {
    const { url, queue, connectTimeoutMs, logger, onClose } = options;
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(url, {
        timeout: connectTimeoutMs,
        clientProperties: { connection_name: 'cloud-archive api publisher' },
      });
    } catch (err) {
      throw new PublishError('broker_unreachable', 'could not connect to RabbitMQ', { cause: err });
    }
    // An 'error' event without a listener would crash the process; the 'close' that follows does the clean-up.
    connection.on('error', (err: Error) => logger.warn({ err: err.message }, 'RabbitMQ connection error'));
    try {
      const channel = await connection.createConfirmChannel();
      const session = new ConfirmSession(connection, channel, queue);
      channel.on('error', (err: Error) => logger.warn({ err: err.message }, 'RabbitMQ channel error'));
      channel.on('return', (message) => session.#noteReturned(message.properties.messageId));
      const end = (): void => {
        if (!session.#alive) return;
        session.#alive = false;
        onClose();
        connection.close().catch(() => undefined); // a lone channel close leaves the connection open
      };
      connection.on('close', end);
      channel.on('close', end);
      await assertTopology(channel, queue);
      return session;
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw new PublishError('broker_unreachable', 'could not open a RabbitMQ channel and declare the queue', {
        cause: err,
      });
    }
  }

  /** Resolves when RabbitMQ has confirmed the message into the queue. */
  send(body: Buffer, messageId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onConfirm = (err: unknown): void => {
        if (this.#takeReturned(messageId)) reject(new PublishError('unroutable', `queue ${this.queue} does not exist`));
        else if (!err) resolve();
        // amqplib reports a nack and a close before the confirm only through these two messages.
        else if (err instanceof Error && err.message === 'message nacked')
          reject(new PublishError('nacked', 'RabbitMQ refused the message', { cause: err }));
        else reject(new PublishError('channel_closed', 'RabbitMQ channel closed before the confirm', { cause: err }));
      };
      try {
        // The return value only signals a full socket buffer; the message is buffered either way and the
        // confirm (or the publish deadline) settles it, so there is nothing to wait for here.
        this.channel.sendToQueue(
          this.queue,
          body,
          { deliveryMode: 2, contentType: 'application/json', messageId, mandatory: true },
          onConfirm,
        );
      } catch (err) {
        // amqplib throws IllegalOperationError synchronously when the channel is already closed.
        reject(new PublishError('channel_closed', 'RabbitMQ channel is closed', { cause: err }));
      }
    });
  }

  /**
   * One round trip on the confirm channel: proves the connection still answers (a half-open TCP connection looks
   * open for minutes) and the queue is there. A missing queue closes the channel, so the next use reconnects and
   * declares it again.
   */
  async probe(): Promise<void> {
    await this.channel.checkQueue(this.queue);
  }

  async close(): Promise<void> {
    this.#alive = false;
    await this.connection.close().catch(() => undefined);
  }

  #noteReturned(messageId: string | undefined): void {
    if (messageId) this.#returned.set(messageId, (this.#returned.get(messageId) ?? 0) + 1);
  }

  #takeReturned(messageId: string): boolean {
    const count = this.#returned.get(messageId);
    if (!count) return false;
    if (count === 1) this.#returned.delete(messageId);
    else this.#returned.set(messageId, count - 1);
    return true;
  }
}
