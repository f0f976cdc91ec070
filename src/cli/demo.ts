import { runConsent } from '../devtools/consent-client';
import { workflowIdFor } from '../shared/types';
import type { TransferProgress } from '../workflows';
import { launch } from './launch';

/**
 * `npm run demo`: one complete transfer through the real API, RabbitMQ, bridge, Temporal and worker, against
 * the built-in Google emulator and sample gallery. Prints the resulting Drive tree and the Web UI link.
 */
async function main(): Promise<void> {
  process.env.SANDBOX = 'true';
  process.env.LOG_LEVEL ||= 'warn'; // keep the demo's output readable; the transfer's own lines are printed below
  const app = await launch();
  const { sandbox, config } = app;
  try {
    const apiUrl = `http://127.0.0.1:${config.PORT}`;
    const googleOrigin = new URL(config.GOOGLE_API_URL).origin;
    const t0 = Date.now();
    const consent = await runConsent(
      apiUrl,
      {
        redirect_success_link: 'https://gallery.example/saved',
        redirect_fail_link: 'https://gallery.example/failed',
        archive_url: sandbox!.archiveUrl,
        gallery_name: 'Anna & Boris — wedding',
        archive_type: 'originals',
        cloud_type: 'google_drive',
      },
      (url) => url.origin !== apiUrl && url.origin !== googleOrigin,
    );
    if (!consent.transferId) throw new Error(`consent flow ended at ${consent.location}`);
    say(`consent done, browser sent to ${consent.location}`);
    const workflowId = workflowIdFor(consent.transferId);
    say(`transfer ${consent.transferId} running — watch it: ${app.temporalUiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${workflowId}`);
    const result = (await app.client.workflow.getHandle(workflowId).result()) as TransferProgress;
    const seconds = (Date.now() - t0) / 1000;
    say(`${result.state}: ${result.filesDone}/${result.filesTotal} files, ${(result.bytesDone / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s, ${result.filesFailed} failed`);
    say('Drive tree (emulated):');
    for (const node of sandbox!.google.tree().sort((a, b) => a.path.localeCompare(b.path))) {
      const folder = node.mimeType === 'application/vnd.google-apps.folder';
      say(`  ${folder ? '📁' : '  '} ${node.path}${folder ? '/' : `  ${node.size} B  md5 ${node.md5}`}`);
    }
    const callback = sandbox!.gallery.callbacks().at(-1);
    say(`completion callback (signature ${callback?.signatureValid ? 'valid' : 'INVALID'}): ${callback?.rawBody}`);
  } finally {
    await app.stop();
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
