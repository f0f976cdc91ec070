import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config';
import { createActivities } from '../activities';
import { Providers } from '../providers';
import { Sealer } from '../shared/crypto';
import type { Logger } from '../shared/logger';
import { sourceHttpFor } from '../source/http';
import { temporalConnectionOptions } from '../temporal/connection';
import { installTemporalRuntime } from './runtime';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The Temporal worker: runs the transfer workflow and its activities. In production the workflow code comes
 * prebuilt (WORKFLOW_BUNDLE_PATH); otherwise it is bundled from source at start.
 */
export interface WorkerOptions {
  /** Path of a prebuilt bundle (`bundleWorkflowCode`), or its code; else the workflows are bundled now. */
  workflowBundlePath?: string;
  workflowBundleCode?: string;
}

export async function startWorker(config: Config, logger: Logger, opts: WorkerOptions = {}): Promise<RunningWorker> {
  installTemporalRuntime(logger, config.WORKER_SDK_METRICS_PORT);
  const sealer = new Sealer(config.SECRET_KEY, config.SECRET_KEYS_PREVIOUS);
  const http = sourceHttpFor(config);
  const activities = createActivities({ config, sealer, providers: new Providers(config, sealer), http, logger });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(opts.workflowBundleCode
      ? { workflowBundle: { code: opts.workflowBundleCode } }
      : opts.workflowBundlePath
        ? { workflowBundle: { codePath: opts.workflowBundlePath } }
        : { workflowsPath: require.resolve('../workflows') }),
    activities,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    // The SDK forwards at most one heartbeat per 0.8 × heartbeat timeout by default, which leaves the server 20 %
    // slack: a busy event loop then times out an upload that is alive and its retry sends the file a second time.
    // Uploads beat three times per timeout (activities/files.ts); let every one of them through.
    maxHeartbeatThrottleInterval: `${Math.round((config.FILE_HEARTBEAT_TIMEOUT_SECONDS * 1000) / 3)}ms`,
    // In-flight uploads get this long to reach their next checkpoint before they are cancelled and resumed elsewhere.
    shutdownGraceTime: `${config.WORKER_SHUTDOWN_GRACE_SECONDS}s`,
  });
  const done = worker.run().finally(async () => {
    await connection.close().catch(() => undefined);
    await http.close().catch(() => undefined);
  });
  logger.info({ task_queue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, ...sealer.keyIds }, 'worker started');
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
