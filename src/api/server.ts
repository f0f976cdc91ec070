import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobPublisher } from '../amqp/publisher';
import { LazyTemporalClient } from '../bridge/temporal-client';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { withdrawTransfer } from '../temporal/withdraw';
import { createApp } from './app';
import { consentClaimer } from './consent-claim';
import { queueTransfer } from './queue-transfer';
import { TransferStatusSource } from './transfers/status-source';
import { TransferWatchers } from './transfers/watchers';
import { temporalReachable } from './temporal-probe';

const READINESS_TIMEOUT_MS = 2_000;
/** How long shutdown waits for in-flight requests (a callback may be waiting on a confirm) before cutting them. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningApi {
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes RabbitMQ and Temporal. */
  close(): Promise<void>;
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
    readiness: async () => {
      const [amqp, temporalUp] = await Promise.all([publisher.ready(READINESS_TIMEOUT_MS), temporalReachable(temporal, READINESS_TIMEOUT_MS)]);
      return { amqp, temporal: temporalUp };
    },
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, () => {
      server.off('error', reject);
      resolve();
    });
  });
  void publisher.ready(); // open the connection now, so the first callback does not pay for it

  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await closeServer(server);
      await publisher.close();
      await temporal.close();
    },
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const cutOff = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(cutOff);
      resolve();
    });
    server.closeIdleConnections(); // keep-alive sockets with no request in flight
  });
}
