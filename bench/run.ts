/**
 * `npm run bench [-- scenario…]`: prints figures, never passes or fails.
 * Each scenario runs the real service (API, RabbitMQ, bridge, Temporal dev server, one worker process) against
 * the emulators, and measures from the consent (POST) to the completion callback. Scenarios (the performance
 * issue's table): B1 5,000 files of 1–20 KB unthrottled; B2 300 files of 1–4 MB against 3 writes/s, 30 ms,
 * 25 MB/s; B3 2 files of 400 MB and of 100 MB, 8 uploads in flight (worker peak RSS).
 * `npm run bench -- B1 B3-100` runs only those.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../src/config';
import { apiLatency } from './api-latency';
import { emulatorEnv } from '../src/sandbox/env';
import { startApi } from '../src/api';
import { createBridge } from '../src/bridge/bridge';
import { runConsent } from '../src/devtools/consent-client';
import { freePort, startDevServer } from '../src/devtools/temporal-server';
import { createGalleryEmulator } from '../src/emulators/gallery';
import { createGoogleEmulator, GoogleEmulatorOptions } from '../src/emulators/google';
import { createLogger } from '../src/shared/logger';
import { startTransfer } from '../src/temporal/start';
import { workflowIdFor } from '../src/shared/types';

const MiB = 1024 * 1024;

interface Scenario {
  name: string;
  files: Array<{ id: number; name: string; size: number }>;
  env: Record<string, string>;
  google?: Partial<GoogleEmulatorOptions>;
}

function scenarios(): Scenario[] {
  const mb = (n: number) => Math.round(n * MiB);
  const big = (count: number, size: number, base: number) =>
    Array.from({ length: count }, (_, i) => ({ id: base + i, name: `Originals/video_${i}.mp4`, size: size + i }));
  return [
    {
      // B1: per-file overhead. Unthrottled emulator, pacing off.
      name: 'B1',
      files: Array.from({ length: Number(process.env.BENCH_B1_FILES ?? 5000) }, (_, i) => ({ id: 1_000_000 + i, name: `Album ${i % 10}/IMG_${i}.jpg`, size: 1024 + ((i * 7919) % (19 * 1024)) })),
      env: { DRIVE_WRITES_PER_SECOND: '100000', DRIVE_WRITE_BURST: '1000', TRANSFER_CONCURRENCY: '16' },
    },
    {
      // B2: pacing. The emulator allows 3 writes/s, adds 30 ms, and shares a 25 MB/s link.
      name: 'B2',
      files: Array.from({ length: 300 }, (_, i) => ({ id: 3_000_000 + i, name: `Set ${i % 3}/IMG_${i}.jpg`, size: mb(1) + ((i * 104729) % mb(3)) })),
      env: { DRIVE_WRITES_PER_SECOND: '3', DRIVE_WRITE_BURST: '1' },
      google: { writesPerSecond: 3, writeBurst: 1, latencyMs: 30, uploadBytesPerSecond: 25 * 1000 * 1000 },
    },
    { name: 'B3-400', files: big(2, mb(400), 4_000_000), env: { TRANSFER_CONCURRENCY: '8' } },
    { name: 'B3-100', files: big(2, mb(100), 5_000_000), env: { TRANSFER_CONCURRENCY: '8' } },
  ];
}

async function run(scenario: Scenario, temporalAddress: string, bundlePath: string) {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const secret = randomBytes(24).toString('hex');
  const google = createGoogleEmulator({ clientId: 'bench', clientSecret: 'bench-secret', redirectUris: [`${apiUrl}/cloud_archive/oauth/google/callback`], ...scenario.google });
  const googleUrl = (await google.listen(0, '127.0.0.1')).url;
  const gallery = createGalleryEmulator({ callbackSecret: secret });
  const galleryUrl = (await gallery.listen(0, '127.0.0.1')).url;
  const hash = randomBytes(16).toString('hex');
  gallery.addGallery({ galleryId: '42', hash, files: scenario.files });
  const suffix = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    WORKER_SDK_METRICS_PORT: '0',
    WORKER_HEALTH_PORT: '0',
    PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    AMQP_QUEUE: `bench.${suffix}`,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-${suffix}`,
    ...emulatorEnv({ googleUrl, galleryUrl, clientId: 'bench', clientSecret: 'bench-secret', callbackSecret: secret, archiveHost: 'arch-d.lite.gallery' }),
    REDIRECT_URL_HOSTS: 'gallery.example',
    ...scenario.env,
  };
  const config = parseConfig(env);
  const logger = createLogger('bench', 'warn');
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const api = await startApi(config, logger);
  const bridge = createBridge({ config, logger, startWorkflow: (input) => startTransfer(client, config.TEMPORAL_TASK_QUEUE, input) });
  await bridge.start();
  const worker = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'worker', 'main.ts')], {
    env: { ...process.env, ...env, WORKFLOW_BUNDLE_PATH: bundlePath },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const t0 = process.hrtime.bigint();
    const consent = await runConsent(
      apiUrl,
      {
        redirect_success_link: 'https://gallery.example/ok',
        redirect_fail_link: 'https://gallery.example/fail',
        archive_url: `https://arch-d.lite.gallery/g/api/stream/42/${hash}?mod=web`,
        gallery_name: `bench ${scenario.name}`,
        archive_type: 'originals',
        cloud_type: 'google_drive',
      },
      (url) => url.hostname === 'gallery.example',
    );
    if (!consent.transferId) throw new Error(`consent failed: ${consent.location}`);
    const callback = await gallery.waitForCallback(undefined, 60 * 60_000);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const result = (await client.workflow.getHandle(workflowIdFor(consent.transferId)).result()) as { filesDone: number; filesFailed: number; bytesDone: number };
    const bytes = scenario.files.reduce((s, f) => s + f.size, 0);
    return {
      scenario: scenario.name,
      files: scenario.files.length,
      MB: +(bytes / MiB).toFixed(1),
      seconds: +seconds.toFixed(2),
      'files/s': +(scenario.files.length / seconds).toFixed(1),
      'MB/s': +(bytes / MiB / seconds).toFixed(1),
      'worker peak RSS MB': peakRssMb(worker),
      failed: result.filesFailed,
      callback_failed_photos: (callback.json as { failed_photos: number }).failed_photos,
      rate_limited: google.stats.rateLimited,
      ...(scenario.google?.writesPerSecond
        ? { 'floor s': +Math.max(bytes / (scenario.google.uploadBytesPerSecond ?? Infinity), google.stats.writes / scenario.google.writesPerSecond).toFixed(1) }
        : {}),
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await bridge.stop();
    await api.close();
    await connection.close();
    await google.close();
    await gallery.close();
  }
}

/** VmHWM: the highest resident set size of the worker process so far (Linux). */
function peakRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

async function main() {
  const wanted = process.argv.slice(2);
  const server = await startDevServer({ dbFile: join('.data', `bench-temporal-${process.pid}.db`) });
  const dir = join(__dirname, '..', '.data');
  mkdirSync(dir, { recursive: true });
  const bundlePath = join(dir, 'bench-workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } })).code);
  const rows = [];
  try {
    if (wanted.length === 0 || wanted.includes('B4')) {
      process.stdout.write('running B4…\n');
      console.table(await apiLatency(server.address));
    }
    for (const scenario of scenarios().filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
      process.stdout.write(`running ${scenario.name}…\n`);
      rows.push(await run(scenario, server.address, bundlePath));
    }
  } finally {
    await server.stop();
  }
  console.table(rows);
  process.stdout.write(`${new Date().toISOString()} on ${cpus().length} cores\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
