import { loadConfig } from '../config';
import { createLogger } from '../shared/logger';
import { startWorker } from '.';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  // The Temporal runtime shuts the worker down gracefully on SIGTERM/SIGINT by itself.
  const running = await startWorker(config, logger, { workflowBundlePath: config.WORKFLOW_BUNDLE_PATH });
  await running.done;
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
