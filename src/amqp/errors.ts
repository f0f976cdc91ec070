/**
 * Why a job could not be handed to RabbitMQ. Every case means "the transfer was not queued (or we cannot tell)",
 * so they share one HTTP status; the code says which, for logs.
 */
export type PublishErrorCode =
  | 'broker_unreachable' // could not connect / open a channel / declare the queue
  | 'channel_closed' // the channel closed before RabbitMQ confirmed: outcome unknown
  | 'nacked' // RabbitMQ refused the message (e.g. queue overflow)
  | 'unroutable' // returned as mandatory: no queue bound to take it
  | 'timeout' // nothing could be sent within AMQP_PUBLISH_TIMEOUT_MS
  | 'unconfirmed' // a copy was sent but never confirmed within AMQP_PUBLISH_TIMEOUT_MS: it may be queued
  | 'closed'; // the publisher was closed (shutdown)

export class PublishError extends Error {
  override name = 'PublishError';
  readonly status = 503;

  constructor(readonly code: PublishErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
