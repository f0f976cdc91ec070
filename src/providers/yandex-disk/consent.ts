import type { ConsentFlow } from '../destination';
import { YandexDiskSettings, yandexClient } from './config';
import { postToYandexId } from './yandex-id';

/**
 * Write access anywhere on the disk plus read access (to verify what we wrote). The narrower
 * `cloud_api:disk.app_folder` would hide the gallery under "Applications/<our app>/", where users do not look
 * for it; the gallery belongs at the top of their Disk, as in Google Drive.
 */
export const YANDEX_SCOPES = ['cloud_api:disk.write', 'cloud_api:disk.read'];

const TOKEN_REQUEST_TIMEOUT_MS = 5_000;

/** Thrown for a non-2xx answer of Yandex ID; carries only the status and the OAuth error name. */
class YandexTokenError extends Error {
  override name = 'YandexTokenError';
  constructor(readonly status: number, readonly oauthError: string | undefined) {
    super(`Yandex ID answered HTTP ${status}${oauthError ? ` (${oauthError})` : ''}`);
  }
}

/**
 * Yandex ID (https://yandex.ru/dev/id/doc/en/codes/code-url): authorization code with PKCE S256. Null when this
 * deployment has no Yandex client.
 */
export function yandexConsent(config: YandexDiskSettings, redirectUri: string): ConsentFlow | null {
  const client = yandexClient(config);
  if (!client) return null;
  const post = async (url: string, form: Record<string, string>): Promise<Record<string, unknown>> => {
    const { ok, status, body } = await postToYandexId(url, client, form, TOKEN_REQUEST_TIMEOUT_MS);
    if (!ok) throw new YandexTokenError(status, typeof body.error === 'string' ? body.error : undefined);
    return body;
  };
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

  return {
    consentUrl: (state, codeChallenge) => {
      const url = new URL(config.YANDEX_AUTH_URL);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope: YANDEX_SCOPES.join(' '),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        // Always show the account chooser: a client of the photographer may be logged in as someone else.
        force_confirm: 'yes',
      }).toString();
      return url.toString();
    },
    exchangeCode: async (code, codeVerifier) => {
      const body = await post(config.YANDEX_TOKEN_URL, { grant_type: 'authorization_code', code, code_verifier: codeVerifier });
      return { refreshToken: text(body.refresh_token), scope: text(body.scope), accessToken: text(body.access_token) };
    },
    grantsAccess: (scope) => {
      if (scope === undefined) return true;
      const granted = new Set(scope.split(' '));
      return YANDEX_SCOPES.every((s) => granted.has(s));
    },
    // Yandex ID revokes by access token (with the app's credentials), and that ends the refresh token too.
    revoke: async ({ accessToken }) => {
      if (accessToken) await post(config.YANDEX_REVOKE_URL, { access_token: accessToken });
    },
    describeError: (err) =>
      err instanceof YandexTokenError
        ? { status: err.status, oauth_error: err.oauthError, err: err.name }
        : { err: (err as Error).name, reason: (err as Error).message },
  };
}
