import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import amqp from 'amqplib';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Config, parseConfig } from '../../src/config';
import { emulatorEnv } from '../../src/sandbox/env';
import { freePort } from '../../src/devtools/temporal-server';
import { runConsent, ConsentOutcome } from '../../src/devtools/consent-client';
import { createGoogleEmulator, GoogleEmulator, GoogleEmulatorOptions } from '../../src/emulators/google';
import { createGalleryEmulator, GalleryEmulator } from '../../src/emulators/gallery';
import { createYandexEmulator, YandexEmulator, YandexEmulatorOptions } from '../../src/emulators/yandex';
import { startApi } from '../../src/api';
import { createBridge } from '../../src/bridge/bridge';
import { transferStarter } from '../../src/bridge/start-workflow';
import { createLogger } from '../../src/shared/logger';
import { startWorker, RunningWorker } from '../../src/worker';
import { workflowIdFor } from '../../src/shared/types';

/**
 * The whole service on real Temporal (the dev server `npm test` started) and real RabbitMQ, against the
 * Google and gallery emulators. Each stack has its own task queue and RabbitMQ queue, so tests don't meet.
 */

export const ARCHIVE_HOST = 'arch-d.lite.gallery';
export const SUCCESS_LINK = 'https://gallery.example/done?x=1';
export const FAIL_LINK = 'https://gallery.example/failed';

// The test runner ends a file that outlives --test-timeout with SIGTERM. The Temporal runtime of an in-process
// worker turns SIGTERM into a graceful worker shutdown, which would keep this process — and the runner waiting
// for it — alive: a timed-out file must end.
process.once('SIGTERM', () => {
  process.stderr.write('test file stopped by the test runner (over its time limit)\n');
  process.exit(143);
});

let bundle: Promise<{ code: string; path: string }> | null = null;

/**
 * Bundling the workflows takes seconds: do it once per test process and share it (also with worker processes).
 * A runner that bundled once for all its test files passes the file in TEST_WORKFLOW_BUNDLE_PATH.
 */
export function workflowBundle(): Promise<{ code: string; path: string }> {
  const prebuilt = process.env.TEST_WORKFLOW_BUNDLE_PATH;
  if (prebuilt) bundle ??= Promise.resolve({ code: readFileSync(prebuilt, 'utf8'), path: prebuilt });
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger }).then(({ code }) => {
    const dir = join(__dirname, '..', '..', '.data');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `workflow-bundle-${process.pid}.js`);
    writeFileSync(path, code);
    return { code, path };
  });
  return bundle;
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface StackOptions {
  google?: Partial<GoogleEmulatorOptions>;
  yandex?: Partial<YandexEmulatorOptions>;
  /** Overrides of the stack's environment; the function form sees the defaults (e.g. the gallery's host). */
  env?: Record<string, string> | ((defaults: Record<string, string>) => Record<string, string>);
  /** Further overrides for the API process only (e.g. its own path to RabbitMQ through a faulty proxy). */
  apiEnv?: Record<string, string>;
  /** Run the worker as a child process (so a test can SIGKILL it). */
  workerProcess?: boolean;
  /** Keep the log lines of the in-process roles and the worker child's stdout/stderr (read with logs()) instead of printing them. */
  captureLogs?: boolean;
}

export interface Stack {
  config: Config;
  env: Record<string, string>;
  google: GoogleEmulator;
  yandex: YandexEmulator;
  gallery: GalleryEmulator;
  galleryUrl: string;
  apiUrl: string;
  client: Client;
  /** start() takes overrides of the stack's environment for this worker only (e.g. a rotated SECRET_KEY). */
  worker: { kill(signal?: NodeJS.Signals): Promise<void>; start(envOverrides?: Record<string, string>): Promise<void> };
  /** The stack's bridge: stop() leaves jobs in the queue; start() consumes again (a new bridge). */
  bridge: { stop(): Promise<void>; start(): Promise<void> };
  /** Everything captured with captureLogs, in arrival order. */
  logs(): string;
  /** POST /cloud_archive, follow the consent redirect and the callback; returns the final Location. */
  consent(body?: Partial<Record<string, string | boolean>>): Promise<ConsentOutcome>;
  /**
   * The workflow's result. Fails after `withinMs` (default 3 min) with what the transfer was doing, so a
   * regression that leaves a photo failing ends the test with a readable message instead of waiting out a window.
   */
  result(transferId: string, withinMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const secret = randomBytes(24).toString('hex');
  const google = createGoogleEmulator({ clientId: 'test-client.apps.googleusercontent.com', clientSecret: 'test-client-secret', redirectUris: [], ...opts.google });
  const googleUrl = (await google.listen(0, '127.0.0.1')).url;
  const yandex = createYandexEmulator({ clientId: 'test-yandex-client', clientSecret: 'test-yandex-secret', redirectUris: [], ...opts.yandex });
  const yandexUrl = (await yandex.listen(0, '127.0.0.1')).url;
  const gallery = createGalleryEmulator({ callbackSecret: secret });
  const galleryUrl = (await gallery.listen(0, '127.0.0.1')).url;
  // The API's port is chosen once the emulators hold theirs: a port picked earlier could be handed to one of them.
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  google.setOptions({ redirectUris: [`${apiUrl}/cloud_archive/oauth/google/callback`, `${apiUrl}/cloud_archive/oauth/google-photos/callback`] });
  yandex.setOptions({ redirectUris: [`${apiUrl}/cloud_archive/oauth/yandex/callback`] });
  const suffix = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    AMQP_QUEUE: `test.transfers.${suffix}`,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: `test-${suffix}`,
    ...emulatorEnv({
      googleUrl,
      galleryUrl,
      clientId: 'test-client.apps.googleusercontent.com',
      clientSecret: 'test-client-secret',
      callbackSecret: secret,
      archiveHost: ARCHIVE_HOST,
      yandex: { url: yandexUrl, clientId: 'test-yandex-client', clientSecret: 'test-yandex-secret' },
    }),
    REDIRECT_URL_HOSTS: 'gallery.example',
    // A failed photo keeps a transfer open for the retry window: 36 s here, so a regression fails a test quickly.
    RETRY_WINDOW_HOURS: '0.01',
    FILE_HEARTBEAT_TIMEOUT_SECONDS: '4',
    DRIVE_WRITES_PER_SECOND: '1000',
    DRIVE_WRITE_BURST: '1000',
    YANDEX_WRITES_PER_SECOND: '1000',
    YANDEX_WRITE_BURST: '1000',
    // Worker processes spawned side by side each serve probes: any free port.
    WORKER_HEALTH_PORT: '0',
    WORKER_SDK_METRICS_PORT: '0',
    BRIDGE_HEALTH_PORT: '0',
  };
  Object.assign(env, typeof opts.env === 'function' ? opts.env({ ...env }) : opts.env);
  const config = parseConfig(env);
  const captured: string[] = [];
  const logger = createLogger('test', env.LOG_LEVEL, opts.captureLogs ? { write: (line: string) => void captured.push(line) } : undefined);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const api = await startApi(opts.apiEnv ? parseConfig({ ...env, ...opts.apiEnv }) : config, logger.child({ role: 'api' }));
  const newBridge = () =>
    createBridge({ config, logger: logger.child({ role: 'bridge' }), startWorkflow: transferStarter({ config, client: async () => client, logger: logger.child({ role: 'bridge' }) }) });
  let runningBridge: ReturnType<typeof createBridge> | null = newBridge();
  await runningBridge.start();
  const bridge = {
    async stop() {
      await runningBridge?.stop();
      runningBridge = null;
    },
    async start() {
      if (runningBridge) return;
      runningBridge = newBridge();
      await runningBridge.start();
    },
  };

  let inProcess: RunningWorker | null = null;
  let child: ChildProcess | null = null;
  const worker = {
    async start(envOverrides: Record<string, string> = {}) {
      if (opts.workerProcess) {
        child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'worker', 'main.ts')], {
          env: { ...process.env, ...env, ...envOverrides, WORKFLOW_BUNDLE_PATH: (await workflowBundle()).path },
          stdio: ['ignore', opts.captureLogs ? 'pipe' : 'inherit', opts.captureLogs ? 'pipe' : 'inherit'],
        });
        for (const stream of [child.stdout, child.stderr]) stream?.on('data', (data: Buffer) => captured.push(data.toString('utf8')));
      } else {
        const workerConfig = parseConfig({ ...env, ...envOverrides });
        inProcess = await startWorker(workerConfig, logger.child({ role: 'worker' }), { workflowBundleCode: (await workflowBundle()).code });
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child && child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill(signal);
        await exited;
      }
      child = null;
      if (inProcess) await inProcess.shutdown();
      inProcess = null;
    },
  };
  await worker.start();

  const consent = async (body: Partial<Record<string, string | boolean>> = {}) =>
    runConsent(
      apiUrl,
      {
        redirect_success_link: SUCCESS_LINK,
        redirect_fail_link: FAIL_LINK,
        archive_url: `https://${ARCHIVE_HOST}/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web`,
        gallery_name: 'Wedding of A & B',
        archive_type: 'originals',
        cloud_type: 'google_drive',
        ...body,
      } as Record<string, string | boolean>,
      (next) => next.origin !== apiUrl && next.origin !== googleUrl && next.origin !== yandexUrl,
    );

  return {
    config,
    env,
    google,
    yandex,
    gallery,
    galleryUrl,
    apiUrl,
    client,
    worker,
    consent,
    bridge,
    logs: () => captured.join(''),
    // The success redirect comes after RabbitMQ confirmed the job; the bridge starts the workflow a moment later.
    async result(transferId, withinMs = 180_000) {
      const handle = client.workflow.getHandle(workflowIdFor(transferId));
      const deadline = Date.now() + withinMs;
      const startDeadline = Date.now() + Math.min(withinMs, 20_000);
      for (;;) {
        try {
          await handle.describe();
          break;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError) || Date.now() > startDeadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return withDeadline(handle.result(), deadline, () => describeStuckTransfer(client, transferId, withinMs));
    },
    async close() {
      await worker.kill('SIGTERM');
      await bridge.stop();
      await api.close();
      const amqpConnection = await amqp.connect(config.AMQP_URL);
      const channel = await amqpConnection.createChannel();
      for (const q of [config.AMQP_QUEUE, `${config.AMQP_QUEUE}.dead`]) await channel.deleteQueue(q).catch(() => undefined);
      await channel.deleteExchange(`${config.AMQP_QUEUE}.dlx`).catch(() => undefined);
      await amqpConnection.close();
      await connection.close();
      await google.close();
      await yandex.close();
      await gallery.close();
    },
  };
}

/** Settles like `promise`, or rejects at `deadline` with the message `explain()` gives. */
async function withDeadline<T>(promise: Promise<T>, deadline: number, explain: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void explain().then((message) => reject(new Error(message))), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a transfer that did not finish in time was doing: its state, counts and first failures. */
async function describeStuckTransfer(client: Client, transferId: string, withinMs: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowIdFor(transferId));
  const facts: string[] = [];
  try {
    facts.push(`status ${(await handle.describe()).status.name}`);
    const p = (await handle.query('progress')) as { state: string; filesDone: number; filesFailed: number; filesTotal: number; error: string | null };
    facts.push(`state ${p.state}, ${p.filesDone} done and ${p.filesFailed} failed of ${p.filesTotal}${p.error ? `, error "${p.error}"` : ''}`);
    const failed = (await handle.query('failedFiles')) as Array<{ name: string; code: string; reason: string }>;
    for (const f of failed.slice(0, 5)) facts.push(`failed "${f.name}": ${f.code} (${f.reason})`);
  } catch (err) {
    facts.push(`(could not read its state: ${(err as Error).message})`);
  }
  return `transfer ${transferId} did not finish within ${withinMs / 1000} s: ${facts.join('; ')}`;
}
