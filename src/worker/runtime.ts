import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from '../shared/logger';

let installed = false;

/**
 * Routes the Temporal SDK's own logs (worker state, workflow `log`, Rust core) into our JSON logger instead of
 * the console. Must run before the first Worker or NativeConnection of the process; later calls do nothing.
 */
export function installTemporalRuntime(logger: Logger, sdkMetricsPort = 0): void {
  if (installed) return;
  installed = true;
  const level = (logger.level === 'silent' ? 'ERROR' : logger.level === 'debug' || logger.level === 'trace' ? 'DEBUG' : 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const fields = { ...entry.meta, sdk: true };
      const method = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      logger[method](fields, entry.message);
    }),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: level === 'DEBUG' ? 'INFO' : 'WARN', other: 'WARN' } },
      ...(sdkMetricsPort > 0 ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${sdkMetricsPort}` } } } : {}),
    },
  });
}
