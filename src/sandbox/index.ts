import { randomBytes } from 'node:crypto';
import { createGalleryEmulator, GalleryEmulator } from '../emulators/gallery';
import { createGoogleEmulator, GoogleEmulator } from '../emulators/google';
import { OAUTH_CALLBACK_PATH } from '../config';

/**
 * The built-in default for `npm start` / `npm run demo` without Google credentials: the Google emulator and a
 * sample gallery, with the environment that points the real service at them.
 */

export const SANDBOX_ARCHIVE_HOST = 'arch-d.lite.gallery';
export const SANDBOX_GALLERY = { galleryId: '858329', hash: 'f9d24b1dfb81a1bfa215cc008f46f3d3' };
const MiB = 1024 * 1024;

export interface Sandbox {
  env: Record<string, string>;
  google: GoogleEmulator;
  gallery: GalleryEmulator;
  archiveUrl: string;
  close(): Promise<void>;
}

/** A small wedding: three albums, web-size photos and two originals big enough for chunked uploads. */
export function sampleGallery(): Array<{ id: number; name: string; size: number }> {
  const files: Array<{ id: number; name: string; size: number }> = [];
  const albums = ['Ceremony', 'Portraits', 'Party/Dance floor'];
  let id = 49851973;
  albums.forEach((album, a) => {
    for (let i = 1; i <= 8; i++) files.push({ id: id++, name: `${album}/IMG_${a + 1}${String(i).padStart(3, '0')}.jpg`, size: 200_000 + ((i * 7919 * (a + 1)) % 2_800_000) });
  });
  files.push({ id: id++, name: 'Originals/DSC_0001.jpg', size: 24 * MiB + 12_345 });
  files.push({ id: id++, name: 'Originals/first-dance.mp4', size: 48 * MiB + 777 });
  return files;
}

export async function startSandbox(opts: { publicUrl: string; host?: string }): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const callbackSecret = randomBytes(24).toString('hex');
  const google = createGoogleEmulator({
    clientId: 'sandbox-client.apps.googleusercontent.com',
    clientSecret: 'sandbox-client-secret',
    redirectUris: [`${opts.publicUrl}${OAUTH_CALLBACK_PATH}`],
  });
  const googleUrl = (await google.listen(0, host)).url;
  const gallery = createGalleryEmulator({ callbackSecret });
  const galleryUrl = (await gallery.listen(0, host)).url;
  gallery.addGallery({ ...SANDBOX_GALLERY, files: sampleGallery() });
  return {
    google,
    gallery,
    archiveUrl: `https://${SANDBOX_ARCHIVE_HOST}/g/api/stream/${SANDBOX_GALLERY.galleryId}/${SANDBOX_GALLERY.hash}?mod=web`,
    env: {
      GOOGLE_CLIENT_ID: 'sandbox-client.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'sandbox-client-secret',
      GOOGLE_AUTH_URL: `${googleUrl}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${googleUrl}/token`,
      GOOGLE_REVOKE_URL: `${googleUrl}/revoke`,
      GOOGLE_API_URL: googleUrl,
      GALLERY_API_URL: galleryUrl,
      ARCHIVE_URL_HOSTS: SANDBOX_ARCHIVE_HOST,
      SOURCE_URL_HOSTS: new URL(galleryUrl).host,
      REDIRECT_URL_HOSTS: `${new URL(galleryUrl).host},gallery.example`,
      ALLOW_PRIVATE_SOURCE_ADDRESSES: 'true',
      COMPLETION_CALLBACK_URL: `${galleryUrl}/api/cloud_archive/callback`,
      CALLBACK_SECRET: callbackSecret,
      SECRET_KEY: randomBytes(32).toString('base64'),
    },
    async close() {
      await google.close();
      await gallery.close();
    },
  };
}
