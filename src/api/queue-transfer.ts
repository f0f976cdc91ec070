import type { JobPublisherLike } from '../amqp/publisher';
import { PublishError } from '../amqp/errors';
import type { Logger } from '../shared/logger';
import type { WithdrawOutcome } from '../temporal/withdraw';

export interface QueueTransferDeps {
  publisher: JobPublisherLike;
  /** Settles a job RabbitMQ may or may not hold: see withdrawTransfer. */
  withdraw: (transferId: string) => Promise<WithdrawOutcome>;
  logger: Logger;
}

/**
 * The publisher the OAuth callback uses: resolves only when the transfer will run, rejects only when it never
 * will. A job whose confirm was lost with the connection is the one case RabbitMQ leaves open; Temporal settles
 * it, so a user sent to the fail link never gets a transfer after all, and one sent to the success link has one.
 */
export function queueTransfer({ publisher, withdraw, logger }: QueueTransferDeps): JobPublisherLike {
  return {
    publish: async (job) => {
      try {
        await publisher.publish(job);
      } catch (err) {
        if (!(err instanceof PublishError) || err.code !== 'unconfirmed') throw err;
        const log = logger.child({ transfer_id: job.transfer_id });
        let outcome: WithdrawOutcome;
        try {
          outcome = await withdraw(job.transfer_id);
        } catch (withdrawErr) {
          // Both RabbitMQ and Temporal out of reach: the one case left to an operator (see the README runbook).
          log.error({ err: (withdrawErr as Error).message }, 'could not withdraw an unconfirmed job: a copy may still start the transfer');
          throw err;
        }
        if (outcome === 'withdrawn') {
          log.warn('RabbitMQ never confirmed the job; withdrawn so no copy of it can start');
          throw err;
        }
        log.info('RabbitMQ never confirmed the job, but the bridge has started the transfer from it');
      }
    },
  };
}
