import { join } from 'node:path';
import amqp from 'amqplib';
import { ensureRabbitMq } from '../devtools/prerequisites';
import { Client, Connection } from '@temporalio/client';
import { Config, loadConfig } from '../config';
import { startApi } from '../api';
import { createBridge } from '../bridge/bridge';
import { DevServer, startDevServer, waitForTemporal } from '../devtools/temporal-server';
import { Sandbox, startSandbox } from '../sandbox';
import { createLogger, Logger } from '../shared/logger';
import { ensureSearchAttributes } from '../temporal/register-search-attributes';
import { transferStarter } from '../bridge/start-workflow';
import { startWorker } from '../worker';

/**
 * Everything on one machine (`npm start`, `npm run demo`): a Temporal dev server unless TEMPORAL_ADDRESS
 * already answers, a check that RabbitMQ is up, then the API, the bridge and a worker in this process.
 * Without GOOGLE_CLIENT_ID (or with SANDBOX=true) Google and the gallery are the built-in emulators.
 */

export interface Launched {
  config: Config;
  logger: Logger;
  client: Client;
  sandbox: Sandbox | null;
  temporalUiUrl: string;
  stop(): Promise<void>;
}

const DATA_DIR = join(__dirname, '..', '..', '.data');

export async function launch(): Promise<Launched> {
  const env = { ...process.env };
  const port = env.PORT || '8080';
  const publicUrl = env.PUBLIC_URL || `http://127.0.0.1:${port}`;
  const useSandbox = env.SANDBOX === 'true' || (env.SANDBOX !== 'false' && !env.GOOGLE_CLIENT_ID);
  const sandbox = useSandbox ? await startSandbox({ publicUrl }) : null;
  const config = loadConfig({ ...env, PORT: port, PUBLIC_URL: publicUrl, ...sandbox?.env });
  const logger = createLogger('cloud-archive', config.LOG_LEVEL);

  await checkRabbit(config.AMQP_URL);
  let devServer: DevServer | null = null;
  let temporalUiUrl = process.env.TEMPORAL_UI_URL || 'http://localhost:8233';
  try {
    await waitForTemporal(config.TEMPORAL_ADDRESS, 1500);
  } catch {
    const [, portText] = config.TEMPORAL_ADDRESS.split(':');
    logger.info({ address: config.TEMPORAL_ADDRESS }, 'starting a Temporal dev server');
    devServer = await startDevServer({ dbFile: join(DATA_DIR, 'temporal.db'), port: Number(portText) || 7233, uiPort: 8233 });
    temporalUiUrl = 'http://localhost:8233';
  }

  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) logger.info({ added }, 'registered search attributes');
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await startWorker(config, logger.child({ role: 'worker' }));
  const bridge = createBridge({ config, logger: logger.child({ role: 'bridge' }), startWorkflow: transferStarter({ config, client: async () => client, logger: logger.child({ role: 'bridge' }) }) });
  await bridge.start();
  const api = await startApi(config, logger.child({ role: 'api' }));

  return {
    config,
    logger,
    client,
    sandbox,
    temporalUiUrl,
    async stop() {
      await api.close();
      await bridge.stop();
      await worker.shutdown();
      await connection.close();
      await sandbox?.close();
      await devServer?.stop();
    },
  };
}

/** RabbitMQ on this machine is started when it does not answer (as `npm test` does); a remote one must be up. */
async function checkRabbit(url: string): Promise<void> {
  try {
    await ensureRabbitMq(url);
    const connection = await amqp.connect(url);
    await connection.close();
  } catch (err) {
    process.stderr.write(
      `RabbitMQ is not reachable at ${url.replace(/\/\/[^@]*@/, '//')} (${(err as Error).message}).\n` +
        'Start it, e.g. `rabbitmq-server -detached` (Debian package rabbitmq-server) or\n' +
        '`docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3.13-management`, or set AMQP_URL.\n',
    );
    process.exit(1);
  }
}
