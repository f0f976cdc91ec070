import { randomBytes } from 'node:crypto';

/**
 * The configuration that points the real service at the emulators: Google (OAuth, Drive, Photos), Yandex (ID + Disk)
 * when given, and the gallery (listing, photos, completion callback). Shared by the sandbox, the tests and the
 * benchmarks.
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
  yandex?: { url: string; clientId: string; clientSecret: string };
}): Record<string, string> {
  const yandex = opts.yandex;
  return {
    ...(yandex && {
      YANDEX_CLIENT_ID: yandex.clientId,
      YANDEX_CLIENT_SECRET: yandex.clientSecret,
      YANDEX_AUTH_URL: `${yandex.url}/authorize`,
      YANDEX_TOKEN_URL: `${yandex.url}/token`,
      YANDEX_REVOKE_URL: `${yandex.url}/revoke_token`,
      YANDEX_API_URL: yandex.url,
    }),
    GOOGLE_CLIENT_ID: opts.clientId,
    GOOGLE_CLIENT_SECRET: opts.clientSecret,
    GOOGLE_AUTH_URL: `${opts.googleAuthOrigin ?? opts.googleUrl}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${opts.googleUrl}/token`,
    GOOGLE_REVOKE_URL: `${opts.googleUrl}/revoke`,
    GOOGLE_API_URL: opts.googleUrl,
    // The emulator serves the Photos Library API too, to the same OAuth client.
    GOOGLE_PHOTOS_CLIENT_ID: opts.clientId,
    GOOGLE_PHOTOS_CLIENT_SECRET: opts.clientSecret,
    GOOGLE_PHOTOS_API_URL: opts.googleUrl,
    GALLERY_API_URL: opts.galleryUrl,
    ARCHIVE_URL_HOSTS: opts.archiveHost,
    SOURCE_URL_HOSTS: new URL(opts.galleryUrl).host,
    // The emulators listen on loopback, without TLS.
    ALLOW_PRIVATE_SOURCE_ADDRESSES: 'true',
    ALLOW_HTTP_SOURCES: 'true',
    COMPLETION_CALLBACK_URL: `${opts.galleryUrl}/api/cloud_archive/callback`,
    CALLBACK_SECRET: opts.callbackSecret,
    SECRET_KEY: randomBytes(32).toString('base64'),
  };
}
