import { randomBytes } from 'node:crypto';

/**
 * The configuration that points the real service at the emulators: Google (OAuth + Drive) and the gallery
 * (listing, photos, completion callback). Shared by the sandbox, the tests and the benchmarks.
 */
export function emulatorEnv(opts: {
  googleUrl: string;
  galleryUrl: string;
  clientId: string;
  clientSecret: string;
  callbackSecret: string;
  archiveHost: string;
  /** Where the browser opens Google's consent page, if not googleUrl (another host name, for a cross-site return). */
  googleAuthOrigin?: string;
}): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: opts.clientId,
    GOOGLE_CLIENT_SECRET: opts.clientSecret,
    GOOGLE_AUTH_URL: `${opts.googleAuthOrigin ?? opts.googleUrl}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${opts.googleUrl}/token`,
    GOOGLE_REVOKE_URL: `${opts.googleUrl}/revoke`,
    GOOGLE_API_URL: opts.googleUrl,
    GALLERY_API_URL: opts.galleryUrl,
    ARCHIVE_URL_HOSTS: opts.archiveHost,
    SOURCE_URL_HOSTS: new URL(opts.galleryUrl).host,
    // The emulators listen on loopback.
    ALLOW_PRIVATE_SOURCE_ADDRESSES: 'true',
    COMPLETION_CALLBACK_URL: `${opts.galleryUrl}/api/cloud_archive/callback`,
    CALLBACK_SECRET: opts.callbackSecret,
    SECRET_KEY: randomBytes(32).toString('base64'),
  };
}
