import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { runConsent } from '../devtools/consent-client';
import type { GoogleEmulator } from '../emulators/google';
import { SANDBOX_GALLERY_NAME } from '../sandbox';
import { workflowIdFor } from '../shared/types';
import type { TransferProgress } from '../workflows';
import { launch, type Launched } from './launch';

/** The emulated Google serves both; Yandex Disk is not in the sandbox. */
const DEMO_CLOUDS = ['google_drive', 'google_photos'] as const;
type DemoCloud = (typeof DEMO_CLOUDS)[number];

function cloudArgument(): DemoCloud {
  const at = process.argv.indexOf('--cloud');
  const value = at === -1 ? 'google_drive' : process.argv[at + 1];
  if (!DEMO_CLOUDS.includes(value as DemoCloud)) throw new Error(`--cloud takes ${DEMO_CLOUDS.join(' or ')}, got ${value ?? 'nothing'}`);
  return value as DemoCloud;
}

/**
 * `npm run demo`: one complete transfer through the real API, RabbitMQ, bridge, Temporal and worker, against
 * the built-in Google emulator and sample gallery. Prints the resulting Drive tree (or, with `--cloud google_photos`,
 * the Google Photos albums) and the Web UI link.
 *
 * Then, when run from a terminal (or with `--serve`), it keeps serving so a person can click through the same
 * flow in a browser: the gallery page with the button, Google's consent page with Allow / Deny, the success
 * page with the Drive tree. Without a terminal (CI, pipes) or with `--no-serve` it stops after the transfer.
 */
async function main(): Promise<void> {
  const cloud = cloudArgument();
  const serve = process.argv.includes('--serve') || (!process.argv.includes('--no-serve') && Boolean(process.stdin.isTTY && process.stdout.isTTY));
  process.env.SANDBOX = 'true';
  process.env.LOG_LEVEL ||= 'warn'; // keep the demo's output readable; the transfer's own lines are printed below
  const app = await launch();
  let keepServing = false;
  try {
    await runTransfer(app, cloud);
    if (!serve) {
      say('\nTo click through it in a browser: npm run demo -- --serve');
      return;
    }
    keepServing = true;
    await serveForAPerson(app);
  } finally {
    if (keepServing) say('stopping…');
    await app.stop();
  }
}

/** Consents as the browser would, waits for the workflow and prints what it made at the destination. */
async function runTransfer(app: Launched, cloud: DemoCloud): Promise<void> {
  const { config } = app;
  const sandbox = app.sandbox!;
  const t0 = Date.now();
  const consent = await runConsent(
    `http://127.0.0.1:${config.PORT}`,
    {
      redirect_success_link: sandbox.links.success,
      redirect_fail_link: sandbox.links.fail,
      archive_url: sandbox.archiveUrl,
      gallery_name: SANDBOX_GALLERY_NAME,
      archive_type: 'originals',
      cloud_type: cloud,
    },
    (url) => url.origin === sandbox.browser.galleryOrigin,
  );
  if (!consent.transferId) throw new Error(`consent flow ended at ${consent.location}`);
  say(`consent done, browser sent to ${consent.location}`);
  const workflowId = workflowIdFor(consent.transferId);
  say(`transfer ${consent.transferId} running — watch it: ${app.temporalUiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${workflowId}`);
  const handle = app.client.workflow.getHandle(workflowId);
  await untilStarted(handle);
  const result = (await handle.result()) as TransferProgress;
  const seconds = (Date.now() - t0) / 1000;
  say(`${result.state}: ${result.filesDone}/${result.filesTotal} files, ${(result.bytesDone / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s, ${result.filesFailed} failed`);
  for (const line of cloud === 'google_photos' ? photosLines(sandbox.google) : driveLines(sandbox.google)) say(line);
  const callback = sandbox.gallery.callbacks().at(-1);
  say(`completion callback (signature ${callback?.signatureValid ? 'valid' : 'INVALID'}): ${callback?.rawBody}`);
}

/** Hands the consent screen to a person and serves until Ctrl-C (or SIGTERM). */
async function serveForAPerson(app: Launched): Promise<void> {
  const sandbox = app.sandbox!;
  // A person answers the consent screen from now on.
  sandbox.google.setOptions({ consent: 'page' });
  say(
    [
      '',
      'Now click through it yourself in a browser (Ctrl-C to stop):',
      `  1. open ${sandbox.galleryPageUrl} and press "Save to Google Drive"`,
      `  2. the emulated Google consent page (${sandbox.browser.googleOrigin}) asks: press Allow (or Deny)`,
      '  3. you land on the gallery\'s success page, which shows the emulated Drive filling up',
      `The gallery and Google are on ${new URL(sandbox.galleryPageUrl).hostname}, the API on ${new URL(app.config.PUBLIC_URL).hostname}: different sites, as in production.`,
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

function driveLines(google: GoogleEmulator): string[] {
  return [
    'Drive tree (emulated):',
    ...google.tree().sort((a, b) => a.path.localeCompare(b.path)).map((node) => {
      const folder = node.mimeType === 'application/vnd.google-apps.folder';
      return `  ${folder ? '📁' : '  '} ${node.path}${folder ? '/' : `  ${node.size} B  md5 ${node.md5}`}`;
    }),
  ];
}

function photosLines(google: GoogleEmulator): string[] {
  const { albums } = google.photos.tree();
  const byOp = Object.entries(google.stats.requests).filter(([op]) => op.startsWith('photos'));
  const requests = byOp.reduce((sum, [, n]) => sum + (n ?? 0), 0);
  const items = albums.reduce((sum, album) => sum + album.items.length, 0);
  return [
    'Google Photos albums (emulated):',
    ...albums.flatMap((album) => [`  🖼  ${album.title}`, ...album.items.map((item) => `       ${item.filename}  ${item.size} B  md5 ${item.md5}`)]),
    `${requests} Library API requests for ${items} photos, albums and chunks included (${(requests / Math.max(1, items)).toFixed(2)} per photo): ${byOp.map(([op, n]) => `${op} ${n}`).join(', ')}`,
  ];
}

/** The success redirect comes once RabbitMQ confirmed the job; the bridge starts the workflow a moment later. */
async function untilStarted(handle: WorkflowHandle, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await handle.describe();
      return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
      await delay(100);
    }
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
