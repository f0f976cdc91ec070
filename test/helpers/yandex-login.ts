import assert from 'node:assert/strict';

/** The Yandex emulator's client for provider-level tests; register REDIRECT_URI with it. */
export const YANDEX_CLIENT = { clientId: 'provider-test-client', clientSecret: 'provider-test-secret' };
export const YANDEX_REDIRECT_URI = 'http://127.0.0.1:9/oauth/yandex/callback';

/** The authorization-code flow by hand against the Yandex emulator at `url`; returns the refresh token. */
export async function yandexLogin(url: string): Promise<string> {
  const query = new URLSearchParams({ response_type: 'code', client_id: YANDEX_CLIENT.clientId, redirect_uri: YANDEX_REDIRECT_URI, scope: 'cloud_api:disk.write cloud_api:disk.read' });
  const consent = await fetch(`${url}/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const basic = Buffer.from(`${YANDEX_CLIENT.clientId}:${YANDEX_CLIENT.clientSecret}`).toString('base64');
  const res = await fetch(`${url}/token`, { method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ grant_type: 'authorization_code', code }) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { refresh_token: string }).refresh_token;
}
