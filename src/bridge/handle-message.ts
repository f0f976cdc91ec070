import type { Channel, ConsumeMessage } from 'amqplib';
import type { Config } from '../config';
import { jobsConsumed } from '../shared/metrics';
import type { Logger } from '../shared/logger';
import type { TransferInput } from '../shared/types';
import type { StartOutcome } from '../temporal/start';
import { BackoffOptions, backoffDelay, sleep } from './backoff';
import { decodeJob } from './decode';

/** The one seam to Temporal: starts the transfer workflow, idempotently per transfer id. */
export type StartWorkflow = (input: TransferInput) => Promise<StartOutcome>;

export interface HandlerDeps {
  config: Pick<Config, 'GALLERY_API_URL'>;
  logger: Logger;
  startWorkflow: StartWorkflow;
  backoff: BackoffOptions;
}

/**
 * One delivery: invalid → dead-letter queue; valid → start the workflow and ack only once it exists.
 *
 * When the start fails (Temporal down, timeout…) the message is held unacked and the start retried in place with
 * a growing delay. Requeueing instead would spend the queue's delivery limit and dead-letter good jobs during a
 * long Temporal outage. `signal` aborts when the channel is gone or the bridge stops: the unacked message then
 * returns to the queue and is redelivered, which is harmless because a second start finds the workflow.
 */
export async function handleMessage(
  message: ConsumeMessage,
  channel: Channel,
  signal: AbortSignal,
  deps: HandlerDeps,
): Promise<void> {
  const { logger, startWorkflow, backoff } = deps;
  const decoded = decodeJob(message.content, deps.config);
  if (!decoded.ok) {
    logger.warn(
      { message_id: message.properties.messageId, reason: decoded.reason },
      'invalid transfer job; sending it to the dead-letter queue',
    );
    settle(() => channel.nack(message, false, false), logger);
    jobsConsumed.inc({ outcome: 'dead_lettered' });
    return;
  }
  const log = logger.child({ transfer_id: decoded.input.transferId });
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await startWorkflow(decoded.input);
      log.info({ outcome, redelivered: message.fields.redelivered }, 'transfer workflow ready; acking');
      settle(() => channel.ack(message), log);
      jobsConsumed.inc({ outcome: outcome === 'started' ? 'started' : 'already_exists' });
      return;
    } catch (err) {
      if (signal.aborted) return;
      jobsConsumed.inc({ outcome: 'start_retried' });
      const delayMs = backoffDelay(attempt, backoff);
      log.warn({ err: errorMessage(err), attempt: attempt + 1, retry_in_ms: delayMs }, 'could not start the transfer workflow; will retry');
      if (!(await sleep(delayMs, signal))) return;
    }
  }
}

/** Ack/nack on a channel that closed meanwhile throws; RabbitMQ then redelivers, which dedupe makes harmless. */
function settle(action: () => void, logger: Logger): void {
  try {
    action();
  } catch (err) {
    logger.warn({ err: errorMessage(err) }, 'could not settle the message; RabbitMQ will redeliver it');
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
