import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import amqp from 'amqplib';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { startApi } from '../../../src/api';
import { createBridge } from '../../../src/bridge/bridge';
import { Config, parseConfig } from '../../../src/config';
import { holdPort } from '../../../src/devtools/temporal-server';
import type { CallbackRecord } from '../../../src/emulators/gallery';
import { Sandbox, SANDBOX_ARCHIVE_HOST, albumsOf, startSandbox } from '../../../src/sandbox';
import { createLogger } from '../../../src/shared/logger';
import { transferStarter } from '../../../src/bridge/start-workflow';
import { RunningWorker, startWorker } from '../../../src/worker';
import type { SpecFile } from '../../helpers/drive-tree';
import { workflowBundle } from '../../helpers/stack';

/**
 * The demo's sandbox (Google and gallery emulators, the gallery's button page) under real-looking host names,
 * with the real API, bridge and worker on real RabbitMQ and Temporal. Three sites, as in production: the
 * gallery's pages, the API, and Google's consent page. Chromium maps every `*.test` name to loopback.
 */

export const HOSTS = {
  api: 'api.litegallery.test',
  google: 'accounts.google.test',
  gallery: 'testerlite.lite.gallery.test',
  /** A site that is not on CORS_ORIGINS. */
  foreign: 'photos.example.test',
} as const;

export interface LogRecord {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface BrowserStack {
  sandbox: Sandbox;
  config: Config;
  /** PUBLIC_URL: the API as the browser reaches it. */
  apiOrigin: string;
  galleryPort: string;
  /** What the API logged (info and up). */
  apiLogs: LogRecord[];
  /** A fresh gallery in the emulator with a button page; returns where to open it. */
  addGallery(files: SpecFile[]): TestGallery;
  /** The completion callback the workers send when the transfer ended. */
  completion(transferId: string): Promise<CallbackRecord>;
  close(): Promise<void>;
}

export interface TestGallery {
  name: string;
  files: SpecFile[];
  pageUrl(opts?: { host?: string; credentials?: 'include' | 'omit' }): string;
}

export async function startBrowserStack(): Promise<BrowserStack> {
  const held = await holdPort(); // until the API listens: the sandbox's emulators start in between
  const apiPort = held.port;
  const apiOrigin = `http://${HOSTS.api}:${apiPort}`;
  const sandbox = await startSandbox({ publicUrl: apiOrigin, googleHostname: HOSTS.google, galleryHostname: HOSTS.gallery });
  sandbox.google.setOptions({ consent: 'page' }); // a person (the test) clicks Allow or Deny
  const galleryPort = new URL(sandbox.browser.galleryOrigin).port;
  const suffix = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    ...sandbox.env,
    NODE_ENV: 'test',
    PORT: String(apiPort),
    PUBLIC_URL: apiOrigin,
    // The production shape: every subdomain of the gallery domain (the sandbox itself lists its one origin).
    CORS_ORIGINS: `http://*.lite.gallery.test:${galleryPort}`,
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    AMQP_QUEUE: `test.browser.${suffix}`,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: `test-browser-${suffix}`,
    MULTIPART_MAX_BYTES: String(512 * 1024),
    UPLOAD_CHUNK_BYTES: String(256 * 1024),
    DRIVE_WRITES_PER_SECOND: '1000',
    DRIVE_WRITE_BURST: '1000',
    WORKER_SDK_METRICS_PORT: '0',
  };
  const config = parseConfig(env);

  const apiLogs: LogRecord[] = [];
  const apiLogger = pino(
    { level: 'info', base: { role: 'api' }, formatters: { level: (label) => ({ level: label }) } },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) apiLogs.push(JSON.parse(line) as LogRecord);
        done();
      },
    }),
  );
  const quiet = createLogger('test', process.env.LOG_LEVEL ?? 'silent');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const worker: RunningWorker = await startWorker(config, quiet.child({ role: 'worker' }), { workflowBundleCode: (await workflowBundle()).code });
  const bridge = createBridge({ config, logger: quiet.child({ role: 'bridge' }), startWorkflow: transferStarter({ config, client: async () => client, logger: quiet.child({ role: 'bridge' }) }) });
  await bridge.start();
  await held.release();
  const api = await startApi(config, apiLogger);

  let galleryCounter = 700000;
  return {
    sandbox,
    config,
    apiOrigin,
    galleryPort,
    apiLogs,
    addGallery(files) {
      const galleryId = String(galleryCounter++);
      const hash = randomBytes(16).toString('hex');
      const name = `Browser gallery ${galleryId}`;
      const path = `/g${galleryId}`;
      sandbox.gallery.addGallery({ galleryId, hash, files });
      sandbox.gallery.addFrontEnd({
        path,
        apiUrl: apiOrigin,
        archiveUrl: `https://${SANDBOX_ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`,
        galleryName: name,
        archiveType: 'webs',
        albums: albumsOf(files),
      });
      return {
        name,
        files,
        pageUrl: ({ host = HOSTS.gallery, credentials = 'omit' } = {}) => `http://${host}:${galleryPort}${path}?credentials=${credentials}`,
      };
    },
    completion: (transferId) =>
      sandbox.gallery.waitForCallback((c) => (c.json as { transfer_id?: string } | undefined)?.transfer_id === transferId, 60_000),
    async close() {
      await api.close();
      await bridge.stop();
      await worker.shutdown();
      const amqpConnection = await amqp.connect(config.AMQP_URL);
      const channel = await amqpConnection.createChannel();
      for (const q of [config.AMQP_QUEUE, `${config.AMQP_QUEUE}.dead`]) await channel.deleteQueue(q).catch(() => undefined);
      await channel.deleteExchange(`${config.AMQP_QUEUE}.dlx`).catch(() => undefined);
      await amqpConnection.close();
      await connection.close();
      await sandbox.close();
    },
  };
}
