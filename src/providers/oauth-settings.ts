import type { Config } from '../config';
import type { GoogleOAuthSettings } from './google-drive/auth';
import type { YandexOAuthSettings } from './yandex-disk/auth';

/** The OAuth client of each destination, from the configuration (null: Yandex is not configured). */
export function googleOAuthSettings(config: Config): GoogleOAuthSettings {
  return {
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    authUrl: config.GOOGLE_AUTH_URL,
    tokenUrl: config.GOOGLE_TOKEN_URL,
    revokeUrl: config.GOOGLE_REVOKE_URL,
  };
}

export function yandexOAuthSettings(config: Config): YandexOAuthSettings | null {
  const { YANDEX_CLIENT_ID: clientId, YANDEX_CLIENT_SECRET: clientSecret } = config;
  return clientId && clientSecret ? { clientId, clientSecret, tokenUrl: config.YANDEX_TOKEN_URL, revokeUrl: config.YANDEX_REVOKE_URL } : null;
}
