import * as amqp from 'amqplib';
import type { ConfirmChannel, GetMessage, MessageProperties, Options } from 'amqplib';
import { deadLetterQueueFor } from '../amqp/topology';
import type { Config } from '../config';
import { DeadJob, describeDeadJob } from './dead-job';

/**
 * Support's access to `<queue>.dead`: list the dead jobs, re-publish one.
 *
 * Reading a queue over AMQP means taking its messages, and handing one back counts, in RabbitMQ's eyes, as a
 * delivery that may have failed: up to 4.2 every return (nack, reject, a closed channel) does, and from 4.3 on a
 * reject or a channel or connection that closes while holding it still does (only basic.nack does not). The dead
 * queue is a quorum queue, which from RabbitMQ 4.0 on drops a message after 20 such deliveries (and it has no
 * dead-letter route of its own), so a tool that read by handing back would lose a job after some twenty looks.
 * Declaring the dead queue with `x-delivery-limit: -1` is no way out either: the existing queues were declared
 * without it (a changed argument fails every re-declaration), and RabbitMQ 3.x takes -1 literally and drops a
 * message at its first return (seen on 3.10).
 *
 * So nothing is ever handed back: a job that stays is first re-published to the tail of the dead queue (with
 * its headers: RabbitMQ keeps a published `x-death` as it is) with a publisher confirm, and only then is the one
 * taken acked. The copy is a new message with no deliveries counted, on every RabbitMQ version. A crash between
 * the two steps leaves the job twice in the dead queue, never zero times; `replay` re-publishes one copy and
 * removes them all.
 */

export interface DeadLetterOptions {
  config: Pick<Config, 'AMQP_URL' | 'AMQP_QUEUE' | 'GALLERY_API_URL'>;
}

/** Bounds the TCP connect, so an unreachable broker is reported instead of waited for. */
const CONNECT_TIMEOUT_MS = 10_000;

export type ReplayOutcome =
  | { outcome: 'replayed'; copiesRemoved: number }
  | { outcome: 'refused'; problem: string }
  | { outcome: 'not_found' };

export class DeadLetterError extends Error {
  override name = 'DeadLetterError';
}

/** Every job in the dead queue, oldest first, as support may see it (no tokens). */
export async function listDeadJobs(options: DeadLetterOptions): Promise<DeadJob[]> {
  const jobs: DeadJob[] = [];
  await withDeadQueue(options, async (channel, deadQueue) => {
    await sweep(channel, deadQueue, async (message) => {
      jobs.push(describeDeadJob(message, options.config));
      return 'keep';
    });
  });
  return jobs;
}

/**
 * Re-publishes the dead job of `transferId` to the transfer queue (persistent, with a publisher confirm) and
 * only then removes it — with any other copy of it — from the dead queue. A job the bridge would reject again is
 * left where it is.
 */
export async function replayDeadJob(options: DeadLetterOptions, transferId: string): Promise<ReplayOutcome> {
  const { config } = options;
  let replayed = false;
  let copiesRemoved = 0;
  let problem: string | null = null;
  await withDeadQueue(options, async (channel, deadQueue) => {
    await checkQueue(channel, config.AMQP_QUEUE);
    await sweep(channel, deadQueue, async (message) => {
      const job = describeDeadJob(message, config);
      if (job.transferId !== transferId) return 'keep';
      if (!replayed) {
        if (job.problem) {
          problem = job.problem;
          return 'keep';
        }
        // Published before the dead copy is removed: a crash in between leaves the job in both queues, which is
        // harmless — the bridge starts workflow transfer-<id> at most once (REJECT_DUPLICATE), so the second
        // copy starts nothing.
        await publishConfirmed(channel, config.AMQP_QUEUE, message.content, {
          deliveryMode: 2,
          contentType: 'application/json',
          messageId: transferId,
        });
        replayed = true;
      }
      copiesRemoved++;
      return 'remove';
    });
  });
  if (replayed) return { outcome: 'replayed', copiesRemoved };
  return problem ? { outcome: 'refused', problem } : { outcome: 'not_found' };
}

type Verdict = 'keep' | 'remove';

/**
 * Takes each message that was in the dead queue when it started, once, in order; a kept one is re-published to
 * the tail before its original is acked (see the top of this file). Whatever goes wrong, the message in hand is
 * nacked back rather than left to a closing channel, the one return RabbitMQ 4.3+ does not count.
 */
async function sweep(channel: ConfirmChannel, deadQueue: string, visit: (message: GetMessage) => Promise<Verdict>): Promise<void> {
  const { messageCount } = await channel.checkQueue(deadQueue);
  for (let taken = 0; taken < messageCount; taken++) {
    const message = await channel.get(deadQueue, { noAck: false });
    if (!message) return; // fewer than counted: someone else took the rest
    try {
      if ((await visit(message)) === 'keep') await publishConfirmed(channel, deadQueue, message.content, copyOf(message.properties));
    } catch (err) {
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel is already gone, and with it the message went back.
      }
      throw err;
    }
    channel.ack(message);
  }
}

/**
 * The kept copy: same body and properties, persistent. The broker's per-delivery counters are left out — they
 * describe the message taken, and the copy has not been delivered yet.
 */
function copyOf(properties: MessageProperties): Options.Publish {
  const headers = { ...properties.headers };
  delete headers['x-delivery-count'];
  delete headers['x-acquired-count'];
  return {
    contentType: properties.contentType,
    contentEncoding: properties.contentEncoding,
    messageId: properties.messageId,
    correlationId: properties.correlationId,
    timestamp: properties.timestamp,
    type: properties.type,
    appId: properties.appId,
    headers,
    deliveryMode: 2,
  };
}

/**
 * Resolves once RabbitMQ confirmed the message into `queue`. One publish at a time is in flight on the channel,
 * so a basic.return (sent before the confirm) belongs to this one: the queue is gone, and nothing was stored.
 */
function publishConfirmed(channel: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    let returned = false;
    const onReturn = () => (returned = true);
    channel.on('return', onReturn);
    channel.sendToQueue(queue, content, { ...options, mandatory: true }, (err) => {
      channel.off('return', onReturn);
      if (err) reject(new DeadLetterError(`RabbitMQ did not confirm the message into ${queue}`));
      else if (returned) reject(new DeadLetterError(`queue ${queue} does not exist`));
      else resolve();
    });
  });
}

/** Connects, checks that both queues exist (never declares: a mistyped AMQP_QUEUE must not create queues), runs `work`. */
async function withDeadQueue(options: DeadLetterOptions, work: (channel: ConfirmChannel, deadQueue: string) => Promise<void>): Promise<void> {
  const deadQueue = deadLetterQueueFor(options.config.AMQP_QUEUE);
  const connection = await amqp
    .connect(options.config.AMQP_URL, { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: 'cloud-archive dlq' } })
    .catch((err: Error) => {
      throw new DeadLetterError(`could not connect to RabbitMQ: ${err.message}`);
    });
  // An 'error' event without a listener would crash the process; the failing call reports the problem.
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    await checkQueue(channel, deadQueue);
    await work(channel, deadQueue);
    await channel.close();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** A passive declare: a missing queue closes the channel with 404, reported here by name. */
async function checkQueue(channel: ConfirmChannel, queue: string): Promise<void> {
  try {
    await channel.checkQueue(queue);
  } catch {
    throw new DeadLetterError(`queue ${queue} does not exist (is AMQP_QUEUE right?)`);
  }
}
