import { loadConfig } from '../config';
import { startHealthServer } from '../shared/health-server';
import { createLogger } from '../shared/logger';
import { createBridge } from './bridge';
import { transferStarter } from './start-workflow';
import { LazyTemporalClient } from './temporal-client';

/** Bridge process: RabbitMQ transfer jobs → one Temporal workflow each. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('bridge', config.LOG_LEVEL);
  const temporal = new LazyTemporalClient(config);
  const bridge = createBridge({
    config,
    logger,
    startWorkflow: transferStarter({ config, client: () => temporal.get(), logger }),
  });

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping the bridge');
    bridge
      .stop()
      .then(() => temporal.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err: (err as Error).message }, 'unclean shutdown');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  // Alive from the start; ready while connected to RabbitMQ and consuming.
  await startHealthServer({ port: config.BRIDGE_HEALTH_PORT, logger, checks: () => ({ rabbitmq: bridge.isConnected() }) });
  await bridge.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`bridge failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
