import type { Channel } from 'amqplib';

/**
 * The transfer queue and its dead-letter path. Declared by both the API (publisher) and the bridge (consumer)
 * with exactly these arguments: RabbitMQ refuses a re-declaration whose arguments differ (PRECONDITION_FAILED).
 *
 *   <queue>          quorum queue (replicated, survives a broker node loss); rejected or over-delivered
 *                    messages go to <queue>.dlx
 *   <queue>.dlx      direct exchange, routes them to
 *   <queue>.dead     quorum queue where an operator inspects and re-publishes them (`npm run dlq`, which
 *                    never hands a message back: see src/bridge/dead-letters.ts)
 */

/**
 * After this many deliveries a message is dead-lettered instead of redelivered, so a job that crashes every
 * consumer that touches it cannot loop forever. A bridge holding a message while Temporal is down does not use
 * deliveries up; only a consumer dying (or RabbitMQ's consumer timeout closing its channel) does.
 */
export const DELIVERY_LIMIT = 20;

export const deadLetterExchangeFor = (queue: string): string => `${queue}.dlx`;
export const deadLetterQueueFor = (queue: string): string => `${queue}.dead`;

export async function assertTopology(channel: Channel, queue: string): Promise<void> {
  const dlx = deadLetterExchangeFor(queue);
  const dead = deadLetterQueueFor(queue);
  await channel.assertExchange(dlx, 'direct', { durable: true });
  await channel.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(dead, dlx, queue);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': dlx,
      'x-dead-letter-routing-key': queue,
      'x-delivery-limit': DELIVERY_LIMIT,
    },
  });
}
