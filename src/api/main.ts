import { loadConfig } from '../config';
import { createLogger } from '../shared/logger';
import { startApi } from './server';

/** API process: the OAuth redirect flow and job publishing. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('api', config.LOG_LEVEL);
  const api = await startApi(config, logger);
  logger.info({ url: api.url, public_url: config.PUBLIC_URL }, 'API listening');

  // SIGTERM (Kubernetes, compose): drain first, so the load balancer stops sending requests before we stop taking
  // them. SIGINT (Ctrl-C): nobody is routing here, close at once.
  const stop = (signal: NodeJS.Signals, how: () => Promise<void>): void => {
    logger.info({ signal }, 'shutting down');
    how().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM', api.drain));
  process.once('SIGINT', () => stop('SIGINT', api.close));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
