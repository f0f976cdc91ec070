import { randomBytes } from 'node:crypto';
import { createGalleryEmulator, FAIL_PATH, GalleryEmulator, SUCCESS_PATH } from '../emulators/gallery';
import { createGoogleEmulator, DriveNode, GoogleEmulator } from '../emulators/google';
import { GOOGLE_CALLBACK_PATH } from '../providers/google-drive/destination';
import { GOOGLE_PHOTOS_CALLBACK_PATH } from '../providers/google-photos/destination';
import { emulatorEnv } from './env';

/**
 * The built-in default for `npm start` / `npm run demo` without Google credentials: the Google emulator and a
 * sample gallery, with the environment that points the real service at them. The gallery also serves a page
 * with the "Save to Google Drive" button, so a person can click through the flow in a browser.
 */

export const SANDBOX_ARCHIVE_HOST = 'arch-d.lite.gallery';
export const SANDBOX_GALLERY = { galleryId: '858329', hash: 'f9d24b1dfb81a1bfa215cc008f46f3d3' };
const MiB = 1024 * 1024;

export const SANDBOX_PAGE_PATH = '/test_16';
export const SANDBOX_GALLERY_NAME = 'Anna & Boris — wedding';

export interface SandboxOptions {
  /** The API's PUBLIC_URL; the OAuth redirect URI registered with the Google emulator derives from it. */
  publicUrl: string;
  /** Address the emulators listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Host names the browser uses for the emulated Google and for the gallery's pages; they must reach `host`.
   * Default: the loopback name PUBLIC_URL does not use (localhost against 127.0.0.1), so that Google's redirect
   * back to the callback is cross-site, as it is with the real Google, and the button's call is cross-origin.
   */
  googleHostname?: string;
  galleryHostname?: string;
}

export interface Sandbox {
  env: Record<string, string>;
  google: GoogleEmulator;
  gallery: GalleryEmulator;
  archiveUrl: string;
  /** The gallery page with the button, as the browser opens it. */
  galleryPageUrl: string;
  /** Origins as the browser sees them. */
  browser: { galleryOrigin: string; googleOrigin: string };
  /** The gallery's success and fail pages (real pages a browser can load). */
  links: { success: string; fail: string };
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

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const otherLoopback = new URL(opts.publicUrl).hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  const callbackSecret = randomBytes(24).toString('hex');
  const google = createGoogleEmulator({
    clientId: 'sandbox-client.apps.googleusercontent.com',
    clientSecret: 'sandbox-client-secret',
    redirectUris: [`${opts.publicUrl}${GOOGLE_CALLBACK_PATH}`, `${opts.publicUrl}${GOOGLE_PHOTOS_CALLBACK_PATH}`],
  });
  const googleUrl = (await google.listen(0, host)).url;
  // The transfer's own items: the provider tags each with its transfer id.
  const transferTree = (transferId: string) => treeLines(google.tree().filter((n) => n.appProperties.caTransfer === transferId));
  const gallery = createGalleryEmulator({ callbackSecret, destinationTree: transferTree });
  const galleryUrl = (await gallery.listen(0, host)).url;
  // The browser-facing names; the service itself keeps calling the emulators at the address they listen on.
  const googleOrigin = `http://${opts.googleHostname ?? otherLoopback}:${new URL(googleUrl).port}`;
  const galleryOrigin = `http://${opts.galleryHostname ?? otherLoopback}:${new URL(galleryUrl).port}`;
  const files = sampleGallery();
  gallery.addGallery({ ...SANDBOX_GALLERY, files });
  const archiveUrl = `https://${SANDBOX_ARCHIVE_HOST}/g/api/stream/${SANDBOX_GALLERY.galleryId}/${SANDBOX_GALLERY.hash}?mod=web`;
  gallery.addFrontEnd({
    path: SANDBOX_PAGE_PATH,
    apiUrl: opts.publicUrl,
    archiveUrl,
    galleryName: SANDBOX_GALLERY_NAME,
    archiveType: 'originals',
    albums: albumsOf(files),
  });
  return {
    google,
    gallery,
    archiveUrl,
    galleryPageUrl: `${galleryOrigin}${SANDBOX_PAGE_PATH}`,
    browser: { galleryOrigin, googleOrigin },
    links: { success: `${galleryOrigin}${SUCCESS_PATH}`, fail: `${galleryOrigin}${FAIL_PATH}` },
    env: {
      ...emulatorEnv({
        googleUrl,
        galleryUrl,
        clientId: 'sandbox-client.apps.googleusercontent.com',
        clientSecret: 'sandbox-client-secret',
        callbackSecret,
        archiveHost: SANDBOX_ARCHIVE_HOST,
        googleAuthOrigin: googleOrigin, // the only Google URL a browser opens
      }),
      REDIRECT_URL_HOSTS: `${new URL(galleryOrigin).host},${new URL(galleryUrl).host},gallery.example`,
      CORS_ORIGINS: galleryOrigin,
    },
    async close() {
      await google.close();
      await gallery.close();
    },
  };
}

/** Albums (folders) and how many photos each holds, for the gallery page. */
export function albumsOf(files: Array<{ name: string }>): Array<{ name: string; photos: number }> {
  const counts = new Map<string, number>();
  for (const file of files) {
    const album = file.name.includes('/') ? file.name.slice(0, file.name.lastIndexOf('/')) : '(no album)';
    counts.set(album, (counts.get(album) ?? 0) + 1);
  }
  return [...counts].map(([name, photos]) => ({ name, photos }));
}

/** The emulated Drive as indented lines: folders with a slash, files with their size. */
export function treeLines(nodes: DriveNode[]): string[] {
  return [...nodes]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((node) => {
      const depth = node.path.split('/').length - 1;
      const folder = node.mimeType === 'application/vnd.google-apps.folder';
      return `${'  '.repeat(depth)}${node.name}${folder ? '/' : `  (${node.size ?? 0} B)`}`;
    });
}
