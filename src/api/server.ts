import { setTimeout as sleep } from 'node:timers/promises';
import { JobPublisher } from '../amqp/publisher';
import { LazyTemporalClient } from '../bridge/temporal-client';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { withdrawTransfer } from '../temporal/withdraw';
import { createApp } from './app';
import { consentClaimer } from './consent-claim';
import { GracefulServer } from './graceful-server';
import { queueTransfer } from './queue-transfer';
import { TransferStatusSource } from './transfers/status-source';
import { TransferWatchers } from './transfers/watchers';
import { temporalReachable } from './temporal-probe';

const READINESS_TIMEOUT_MS = 2_000;

export interface RunningApi {
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes RabbitMQ and Temporal. */
  close(): Promise<void>;
  /**
   * SIGTERM's way: /readyz turns 503 at once while requests are still accepted for SHUTDOWN_DRAIN_SECONDS (so the
   * load balancer stops sending them), then close().
   */
  drain(): Promise<void>;
}

/** Runs the API in this process on `config.PORT` (0 = any free port). */
export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  const publisher = new JobPublisher({
    url: config.AMQP_URL,
    queue: config.AMQP_QUEUE,
    timeoutMs: config.AMQP_PUBLISH_TIMEOUT_MS,
    logger,
  });
  const temporal = new LazyTemporalClient(config);
  const server = new GracefulServer();
  const source = new TransferStatusSource(temporal);
  const queued = queueTransfer({
    publisher,
    withdraw: async (transferId) => withdrawTransfer(await temporal.get(), config.TEMPORAL_TASK_QUEUE, transferId),
    logger,
  });
  const app = createApp({
    config,
    // Remember what this process queued, so its status reads `queued` until the bridge starts the workflow.
    publisher: {
      publish: async (job) => {
        await queued.publish(job);
        source.markQueued(job.transfer_id);
      },
    },
    claim: consentClaimer(temporal, config.TEMPORAL_TASK_QUEUE),
    transfers: { source, watchers: new TransferWatchers(source, logger) },
    logger,
    shutdown: server,
    readiness: async () => {
      const [amqp, temporalUp] = await Promise.all([publisher.ready(READINESS_TIMEOUT_MS), temporalReachable(temporal, READINESS_TIMEOUT_MS)]);
      return { amqp, temporal: temporalUp };
    },
  });

  const port = await server.listen(app, config.PORT);
  void publisher.ready(); // open the connection now, so the first callback does not pay for it

  const close = async (): Promise<void> => {
    const closed = server.close();
    logger.info('listener closed: finishing the requests in flight');
    await closed;
    await publisher.close();
    await temporal.close();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    close,
    drain: async () => {
      server.drain();
      logger.info({ pause_seconds: config.SHUTDOWN_DRAIN_SECONDS }, 'draining: /readyz is 503, still serving until the pause is over');
      await sleep(config.SHUTDOWN_DRAIN_SECONDS * 1000);
      await close();
    },
  };
}
