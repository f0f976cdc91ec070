/**
 * The demo sandbox as its own process (the `sandbox` role of the image, docker-compose's `sandbox` profile): the
 * Google emulator (OAuth consent page, Drive API) and the sample gallery, on fixed ports so the other containers
 * and the browser can reach them. Uses the app's own variables: GOOGLE_CLIENT_ID/SECRET (the client it accepts),
 * PUBLIC_URL (the only redirect URI it allows) and CALLBACK_SECRET (to check the completion callback's signature).
 * Usage: sandbox-services [--host 0.0.0.0] [--google-port 9100] [--gallery-port 9200]
 */
import { parseArgs } from 'node:util';
import { GOOGLE_CALLBACK_PATH } from '../src/providers/google-drive/destination';
import { createGalleryEmulator } from '../src/emulators/gallery';
import { createGoogleEmulator } from '../src/emulators/google';
import { SANDBOX_ARCHIVE_HOST, SANDBOX_GALLERY, sampleGallery } from '../src/sandbox';

function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '0.0.0.0' },
      'google-port': { type: 'string', default: '9100' },
      'gallery-port': { type: 'string', default: '9200' },
    },
  });
  const publicUrl = required('PUBLIC_URL', process.env.PUBLIC_URL).replace(/\/+$/, '');
  const google = createGoogleEmulator({
    clientId: required('GOOGLE_CLIENT_ID', process.env.GOOGLE_CLIENT_ID),
    clientSecret: required('GOOGLE_CLIENT_SECRET', process.env.GOOGLE_CLIENT_SECRET),
    redirectUris: [`${publicUrl}${GOOGLE_CALLBACK_PATH}`],
    consent: 'page', // a person clicks Allow or Deny, as on Google's screen
  });
  const gallery = createGalleryEmulator({ callbackSecret: required('CALLBACK_SECRET', process.env.CALLBACK_SECRET) });
  gallery.addGallery({ ...SANDBOX_GALLERY, files: sampleGallery() });
  const googleUrl = (await google.listen(Number(values['google-port']), values.host)).url;
  const galleryUrl = (await gallery.listen(Number(values['gallery-port']), values.host)).url;
  const archiveUrl = `https://${SANDBOX_ARCHIVE_HOST}/g/api/stream/${SANDBOX_GALLERY.galleryId}/${SANDBOX_GALLERY.hash}?mod=web`;
  process.stdout.write(
    `${JSON.stringify({ msg: 'sandbox listening', google: googleUrl, gallery: galleryUrl, archive_url: archiveUrl, drive_tree: `${googleUrl}/__emulator/tree` })}\n`,
  );

  const stop = (): void => {
    Promise.all([google.close(), gallery.close()]).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
