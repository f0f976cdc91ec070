import { loadConfig } from '../config';
import { startHealthServer } from '../shared/health-server';
import { createLogger } from '../shared/logger';
import { RunningWorker, startWorker } from '.';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  let running: RunningWorker | undefined;
  // Alive from the start; ready only while the worker polls its task queue (not while starting or draining).
  const health = await startHealthServer({
    port: config.WORKER_HEALTH_PORT,
    logger,
    checks: () => ({ temporal_worker: running?.worker.getState() === 'RUNNING' }),
  });
  // The Temporal runtime shuts the worker down gracefully on SIGTERM/SIGINT by itself.
  running = await startWorker(config, logger, { workflowBundlePath: config.WORKFLOW_BUNDLE_PATH });
  await running.done;
  await health.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
