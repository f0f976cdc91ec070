/**
 * `npm run bench [-- scenario…]`: prints figures, never passes or fails.
 * Each scenario runs the real service (API, RabbitMQ, bridge, Temporal dev server, one worker process) against
 * the emulators, and measures from the consent (POST) to the completion callback. Scenarios (the performance
 * issue's table): B1 5,000 files of 1–20 KB unthrottled, at TRANSFER_CONCURRENCY=16 (B1-default: at the default);
 * B2 300 files of 1–4 MB against 3 writes/s, 30 ms, 25 MB/s; B3 worker peak RSS with large files: 2 files of
 * 400 MB and of 100 MB (2 uploads in flight), and 8 files of 400 MB at once (B3-8x, 8 in flight; BENCH_B3_8X_MB
 * sets their size); B5 100,000 tiny files with a 50-file transfer started in the middle (history size per run,
 * starvation); B6 a school shoot of 5,000 albums with a photo each against 3 writes/s (BENCH_B6_ALBUMS and
 * BENCH_B6_RATE change them): wall time against the write floor, and album creates answered 409 (sent twice);
 * B7 2,000 small files against 10 writes/s the service is not told (BENCH_B7_FILES, BENCH_B7_RATE): the pace found,
 * writes/s while files were created and the share of writes answered 403/429.
 * P-* copy one gallery to each destination (Google Drive; Yandex Disk with server-side fetch and
 * streaming; Google Photos, with its Library API requests per photo). Every row reports the bytes the worker read from the gallery and sent to the destination.
 * `npm run bench -- B1 B3-100` runs only those; BENCH_COMPILED=1 (after `npm run build`) runs the worker and the
 * B4 API compiled, as production does.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, posix } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { parseConfig } from '../src/config';
import { apiLatency } from './api-latency';
import { entryArgs } from './entry';
import { emulatorEnv } from '../src/sandbox/env';
import { startApi } from '../src/api';
import { createBridge } from '../src/bridge/bridge';
import { runConsent } from '../src/devtools/consent-client';
import { freePort, startDevServer } from '../src/devtools/temporal-server';
import { createGalleryEmulator } from '../src/emulators/gallery';
import { createGoogleEmulator, GoogleEmulator, GoogleEmulatorOptions } from '../src/emulators/google';
import { createYandexEmulator, YandexEmulatorOptions } from '../src/emulators/yandex';
import { createLogger } from '../src/shared/logger';
import { transferStarter } from '../src/bridge/start-workflow';
import { workflowIdFor } from '../src/shared/types';

const MiB = 1024 * 1024;

type Files = Array<{ id: number; name: string; size: number }>;

interface Scenario {
  name: string;
  files: Files;
  env: Record<string, string>;
  cloudType?: 'google_drive' | 'yadisk' | 'google_photos';
  google?: Partial<GoogleEmulatorOptions>;
  yandex?: Partial<YandexEmulatorOptions>;
  /** A second, small transfer started once the first has copied this many files (B5: starvation). */
  alongside?: { files: Files; afterFiles: number };
  /** Sample how many Drive resumable uploads are open at once (B3: are the uploads really in flight together?). */
  countUploadsInFlight?: boolean;
  /** Report Drive's folder creates: how many, and how many were answered 409 (a create sent again). */
  countFolderCreates?: boolean;
}

function scenarios(): Scenario[] {
  const b5Files = Number(process.env.BENCH_B5_FILES ?? 100_000);
  const mb = (n: number) => Math.round(n * MiB);
  const big = (count: number, size: number, base: number) =>
    Array.from({ length: count }, (_, i) => ({ id: base + i, name: `Originals/video_${i}.mp4`, size: size + i }));
  const b1Files = Array.from({ length: Number(process.env.BENCH_B1_FILES ?? 5000) }, (_, i) => ({ id: 1_000_000 + i, name: `Album ${i % 10}/IMG_${i}.jpg`, size: 1024 + ((i * 7919) % (19 * 1024)) }));
  const unpaced = { DRIVE_WRITES_PER_SECOND: '100000', DRIVE_WRITE_BURST: '1000' };
  // B3-8x: 8 files through the worker at once, as large as B3-400's (3.2 GB: 1–3 minutes on 2 shared cores).
  const b3x8Size = mb(Number(process.env.BENCH_B3_8X_MB ?? 400));
  return [
    // B1: per-file overhead. Unthrottled emulator, pacing off; with 16 units in flight, and at the default (8).
    { name: 'B1', files: b1Files, env: { ...unpaced, TRANSFER_CONCURRENCY: '16' } },
    { name: 'B1-default', files: b1Files, env: unpaced },
    {
      // B2: pacing. The emulator allows 3 writes/s, adds 30 ms, and shares a 25 MB/s link.
      name: 'B2',
      files: Array.from({ length: 300 }, (_, i) => ({ id: 3_000_000 + i, name: `Set ${i % 3}/IMG_${i}.jpg`, size: mb(1) + ((i * 104729) % mb(3)) })),
      env: { DRIVE_WRITES_PER_SECOND: '3', DRIVE_WRITE_BURST: '1' },
      google: { writesPerSecond: 3, writeBurst: 1, latencyMs: 30, uploadBytesPerSecond: 25 * 1000 * 1000 },
    },
    // B3: large files, one chunk buffer per upload in flight. Two files (2 in flight), then 8 at once.
    { name: 'B3-400', files: big(2, mb(400), 4_000_000), env: { TRANSFER_CONCURRENCY: '8' }, countUploadsInFlight: true },
    { name: 'B3-100', files: big(2, mb(100), 5_000_000), env: { TRANSFER_CONCURRENCY: '8' }, countUploadsInFlight: true },
    { name: 'B3-8x', files: big(8, b3x8Size, 5_100_000), env: { TRANSFER_CONCURRENCY: '8' }, countUploadsInFlight: true },
    {
      // B5: a 100,000-file gallery; a 50-file one starts when a fifth of it is done.
      name: 'B5',
      files: Array.from({ length: b5Files }, (_, i) => ({ id: 10_000_000 + i, name: `Day ${i % 20}/IMG_${i}.jpg`, size: 200 + (i % 800) })),
      env: unpaced,
      alongside: { files: Array.from({ length: 50 }, (_, i) => ({ id: 20_000_000 + i, name: `Small/IMG_${i}.jpg`, size: 1024 + i * 97 })), afterFiles: Math.floor(b5Files / 5) },
    },
    b6(),
    b7(),
    ...providerScenarios(),
  ];
}

/** B6: an album per pupil, a photo in each, at Drive's pace: folder creation must advance and stay near the floor. */
function b6(): Scenario {
  const albums = Number(process.env.BENCH_B6_ALBUMS ?? 5000);
  const rate = Number(process.env.BENCH_B6_RATE ?? 3);
  return {
    name: 'B6',
    files: Array.from({ length: albums }, (_, i) => ({ id: 30_000_000 + i, name: `Pupil ${String(i + 1).padStart(5, '0')}/portrait.jpg`, size: 1024 + ((i * 7919) % (19 * 1024)) })),
    env: { DRIVE_WRITES_PER_SECOND: String(rate), DRIVE_WRITE_BURST: '1' },
    google: { writesPerSecond: rate, writeBurst: 1, latencyMs: 30 },
    countFolderCreates: true,
  };
}

/**
 * B7: a pace found, not configured. The emulator allows 10 writes/s (to the millisecond, burst 1, 30 ms); the
 * service runs its defaults (DRIVE_WRITES_PER_SECOND=3 as the safe start) and must find the account's rate.
 */
function b7(): Scenario {
  return {
    name: 'B7',
    files: Array.from({ length: Number(process.env.BENCH_B7_FILES ?? 2000) }, (_, i) => ({ id: 40_000_000 + i, name: `Day ${i % 4}/IMG_${i}.jpg`, size: 1024 + ((i * 7919) % (19 * 1024)) })),
    env: {},
    google: { writesPerSecond: Number(process.env.BENCH_B7_RATE ?? 10), writeBurst: 1, latencyMs: 30 },
  };
}

const TaskQueueType = temporal.api.enums.v1.TaskQueueType;

/**
 * Waits until a worker polls the task queue for workflow and activity tasks: the worker's boot (loading the code,
 * connecting; about 4 s here) is not part of a transfer's time, as it is not for a service already running.
 */
async function polled(client: Client, namespace: string, taskQueue: string): Promise<void> {
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    for (;;) {
      const { pollers } = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType });
      if (pollers && pollers.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Writes per second while files were being created in Drive: first to last file create (the ramp included). */
function sustainedWrites(google: GoogleEmulator): number {
  const created = google.tree().filter((n) => n.mimeType !== 'application/vnd.google-apps.folder').map((n) => Date.parse(n.createdTime));
  if (created.length < 2) return 0;
  return +((created.length - 1) / ((Math.max(...created) - Math.min(...created)) / 1000)).toFixed(2);
}

/** One gallery (many small photos, a few large ones), copied to each destination. */
function providerScenarios(): Scenario[] {
  const files: Files = [
    ...Array.from({ length: 500 }, (_, i) => ({ id: 6_000_000 + i, name: `Album ${i % 5}/IMG_${i}.jpg`, size: 1024 + ((i * 7919) % (19 * 1024)) })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: 6_100_000 + i, name: `Originals/RAW_${i}.dng`, size: 10 * MiB + i })),
  ];
  const unthrottled = {
    DRIVE_WRITES_PER_SECOND: '100000',
    DRIVE_WRITE_BURST: '1000',
    YANDEX_WRITES_PER_SECOND: '100000',
    YANDEX_WRITE_BURST: '1000',
    GOOGLE_PHOTOS_WRITES_PER_SECOND: '100000',
    GOOGLE_PHOTOS_WRITE_BURST: '1000',
  };
  return [
    { name: 'P-drive', files, env: unthrottled },
    { name: 'P-yadisk-fetch', files, env: { ...unthrottled, YANDEX_SERVER_SIDE_FETCH: 'true' }, cloudType: 'yadisk' },
    { name: 'P-yadisk-stream', files, env: { ...unthrottled, YANDEX_SERVER_SIDE_FETCH: 'false' }, cloudType: 'yadisk' },
    { name: 'P-photos', files, env: unthrottled, cloudType: 'google_photos' },
  ];
}

/** Every Library API request (albums, uploads, chunks, batchCreate, lookups): the project's daily quota counts them all. */
function photosRequests(google: GoogleEmulator): number {
  return sum(Object.entries(google.stats.requests).flatMap(([op, n]) => (op.startsWith('photos') ? [n ?? 0] : [])));
}

async function run(scenario: Scenario, temporalAddress: string, bundlePath: string) {
  const secret = randomBytes(24).toString('hex');
  const google = createGoogleEmulator({ clientId: 'bench', clientSecret: 'bench-secret', redirectUris: [], ...scenario.google });
  const googleUrl = (await google.listen(0, '127.0.0.1')).url;
  const yandex = createYandexEmulator({ clientId: 'bench-ya', clientSecret: 'bench-ya-secret', redirectUris: [], ...scenario.yandex });
  const yandexUrl = (await yandex.listen(0, '127.0.0.1')).url;
  const gallery = createGalleryEmulator({ callbackSecret: secret });
  const galleryUrl = (await gallery.listen(0, '127.0.0.1')).url;
  // Chosen once the emulators hold their ports, so it cannot be one of theirs.
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  google.setOptions({ redirectUris: [`${apiUrl}/cloud_archive/oauth/google/callback`, `${apiUrl}/cloud_archive/oauth/google-photos/callback`] });
  yandex.setOptions({ redirectUris: [`${apiUrl}/cloud_archive/oauth/yandex/callback`] });
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
    ...emulatorEnv({
      googleUrl,
      galleryUrl,
      clientId: 'bench',
      clientSecret: 'bench-secret',
      callbackSecret: secret,
      archiveHost: 'arch-d.lite.gallery',
      yandex: { url: yandexUrl, clientId: 'bench-ya', clientSecret: 'bench-ya-secret' },
    }),
    REDIRECT_URL_HOSTS: 'gallery.example',
    ...scenario.env,
  };
  const config = parseConfig(env);
  const logger = createLogger('bench', 'warn');
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const api = await startApi(config, logger);
  const bridge = createBridge({ config, logger, startWorkflow: transferStarter({ config, client: async () => client, logger }) });
  await bridge.start();
  const worker = spawn(process.execPath, entryArgs('src/worker/main'), {
    env: { ...process.env, ...env, WORKFLOW_BUNDLE_PATH: bundlePath },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await polled(client, config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE);
  const consentTo = async (galleryId: string, galleryHash: string, name: string): Promise<string> => {
    const consent = await runConsent(
      apiUrl,
      {
        redirect_success_link: 'https://gallery.example/ok',
        redirect_fail_link: 'https://gallery.example/fail',
        archive_url: `https://arch-d.lite.gallery/g/api/stream/${galleryId}/${galleryHash}?mod=web`,
        gallery_name: name,
        archive_type: 'originals',
        cloud_type: scenario.cloudType ?? 'google_drive',
      },
      (url) => url.hostname === 'gallery.example',
    );
    if (!consent.transferId) throw new Error(`consent failed: ${consent.location}`);
    return consent.transferId;
  };
  /** B5: the small transfer once the big one is well under way, then the same small gallery alone. */
  const runAlongside = async (spec: NonNullable<Scenario['alongside']>, bigTransfer: string) => {
    const handle = client.workflow.getHandle(workflowIdFor(bigTransfer));
    for (;;) {
      const progress = (await handle.query('progress').catch(() => null)) as { filesDone: number } | null;
      if (progress && progress.filesDone >= spec.afterFiles) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const timed = async (galleryId: string) => {
      const smallHash = randomBytes(16).toString('hex');
      gallery.addGallery({ galleryId, hash: smallHash, files: spec.files });
      const t = process.hrtime.bigint();
      await callbackOf(await consentTo(galleryId, smallHash, `bench small ${galleryId}`));
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const during = await timed('43');
    await callbackOf(bigTransfer);
    const alone = await timed('44');
    return { '50 files during s': +during.toFixed(2), '50 files alone s': +alone.toFixed(2), 'during/alone': +(during / alone).toFixed(2) };
  };
  /** History length of every run (continue-as-new chain) of a workflow. */
  const historyLengths = async (transferId: string): Promise<number[]> => {
    const lengths: number[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowIdFor(transferId)}'` })) lengths.push(wf.historyLength);
    return lengths;
  };
  const callbackOf = (transferId: string) =>
    gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 3 * 60 * 60_000);
  try {
    const t0 = process.hrtime.bigint();
    const inFlight = scenario.countUploadsInFlight ? sampleUploadsInFlight(google, scenario.files) : undefined;
    const transferId = await consentTo('42', hash, `bench ${scenario.name}`);
    const alongside = scenario.alongside ? runAlongside(scenario.alongside, transferId) : undefined;
    const callback = await callbackOf(transferId);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const peakInFlight = inFlight?.stop();
    const result = (await client.workflow.getHandle(workflowIdFor(transferId)).result()) as { filesDone: number; filesFailed: number; bytesDone: number };
    const bytes = scenario.files.reduce((s, f) => s + f.size, 0);
    const runs = scenario.alongside || scenario.countFolderCreates ? await historyLengths(transferId) : undefined;
    return {
      scenario: scenario.name,
      files: scenario.files.length,
      MB: +(bytes / MiB).toFixed(1),
      seconds: +seconds.toFixed(2),
      'files/s': +(scenario.files.length / seconds).toFixed(1),
      'MB/s': +(bytes / MiB / seconds).toFixed(1),
      'transfer concurrency': config.TRANSFER_CONCURRENCY,
      ...(peakInFlight === undefined ? {} : { 'uploads in flight (peak)': peakInFlight }),
      'worker peak RSS MB': peakRssMb(worker),
      failed: result.filesFailed,
      callback_failed_photos: (callback.json as { failed_photos: number }).failed_photos,
      rate_limited: google.stats.rateLimited + yandex.stats.rateLimited,
      // The gallery serves the worker and, with server-side fetch, Yandex: what Yandex fetched is not the worker's.
      'MB worker read from gallery': +((sum(Object.values(gallery.stats.bytesServed)) - yandex.stats.bytesFetched) / MiB).toFixed(1),
      ...(scenario.cloudType === 'yadisk'
        ? { 'MB worker sent': +(yandex.stats.bytesUploaded / MiB).toFixed(1), 'MB fetched by Yandex': +(yandex.stats.bytesFetched / MiB).toFixed(1) }
        : { 'MB worker sent': +(sum(Object.values(google.stats.bytesReceivedByFileName)) / MiB).toFixed(1) }),
      ...(scenario.cloudType === 'google_photos' ? { 'Photos requests per photo': +(photosRequests(google) / scenario.files.length).toFixed(3) } : {}),
      ...(scenario.google?.writesPerSecond
        ? {
            'floor s': +Math.max(bytes / (scenario.google.uploadBytesPerSecond ?? Infinity), google.stats.writes / scenario.google.writesPerSecond).toFixed(1),
            writes: google.stats.writes,
            'file writes/s (first to last create)': sustainedWrites(google),
            '% writes answered 403/429': +((100 * google.stats.rateLimited) / (google.stats.writes + google.stats.rateLimited)).toFixed(2),
          }
        : {}),
      ...(runs ? { runs: runs.length, 'largest history (events)': Math.max(...runs) } : {}),
      ...(scenario.countFolderCreates
        ? { 'folder creates': sum([...google.stats.metadataCreatesById.values()]), 'creates answered 409': google.stats.metadataConflicts }
        : {}),
      ...(alongside ? await alongside : {}),
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await bridge.stop();
    await api.close();
    await connection.close();
    await google.close();
    await yandex.close();
    await gallery.close();
  }
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Samples Drive's open resumable uploads (begun, not all bytes received) every 100 ms; stop() returns the most seen
 * at once. A measurement beside the run, not a synchronisation.
 */
function sampleUploadsInFlight(google: GoogleEmulator, files: Files): { stop(): number } {
  const sizes = new Map(files.map((f) => [posix.basename(f.name), f.size]));
  let peak = 0;
  const timer = setInterval(() => {
    const open = google.stats.uploadRecords().filter((r) => r.kind === 'resumable' && r.bytes < (sizes.get(r.fileName) ?? 0)).length;
    peak = Math.max(peak, open);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
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
