import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientAuthentication, CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { CLIENT_ID, CLIENT_SECRET, DRIVE_FILE, REDIRECT_URI, drive, errorReason, login, startGoogle } from './support';

const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';

function oauthClient(url: string, extra: { clientSecret?: string; clientAuthentication?: ClientAuthentication } = {}): OAuth2Client {
  return new OAuth2Client({
    clientId: CLIENT_ID,
    clientSecret: extra.clientSecret ?? CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    clientAuthentication: extra.clientAuthentication,
    endpoints: {
      oauth2AuthBaseUrl: `${url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${url}/token`,
      oauth2RevokeUrl: `${url}/revoke`,
      tokenInfoUrl: `${url}/tokeninfo`,
    },
  });
}

/** Opens the consent URL like a browser that does not follow the redirect; returns the redirect target. */
async function consent(authUrl: string): Promise<URL> {
  const res = await fetch(authUrl, { redirect: 'manual' });
  assert.equal(res.status, 302, await res.clone().text());
  return new URL(res.headers.get('location')!);
}

async function pkceLogin(client: OAuth2Client, extra: Record<string, string> = {}) {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const back = await consent(
    client.generateAuthUrl({
      scope: [DRIVE_FILE, 'openid', 'email'],
      access_type: 'offline',
      prompt: 'consent',
      state: 'state-123',
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: codeChallenge!,
      ...extra,
    }),
  );
  return { back, code: back.searchParams.get('code')!, codeVerifier };
}

/** The OAuth error code inside a GaxiosError. */
function oauthError(expectedStatus: number, expectedCode: string) {
  return (err: unknown): boolean => {
    const response = (err as { response?: { status: number; data: { error: string } } }).response;
    assert.equal(response?.status, expectedStatus);
    assert.equal(response?.data.error, expectedCode);
    return true;
  };
}

describe('OAuth with the real google-auth-library client', () => {
  it('runs the PKCE S256 code flow end to end', async () => {
    const { google, url } = await startGoogle();
    const client = oauthClient(url);
    const { back, code, codeVerifier } = await pkceLogin(client);
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'state-123');
    // Google echoes the long form of the sign-in scopes.
    assert.deepEqual(back.searchParams.get('scope')!.split(' ').sort(), [DRIVE_FILE, EMAIL, 'openid'].sort());

    const { tokens } = await client.getToken({ code, codeVerifier });
    assert.match(tokens.access_token!, /^ya29\./);
    assert.match(tokens.refresh_token!, /^1\/\//);
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.expiry_date! > Date.now() + 3500_000);

    const info = await client.getTokenInfo(tokens.access_token!);
    assert.equal(info.email, 'user@example.com');
    assert.ok(info.scopes.includes(DRIVE_FILE));

    client.setCredentials(tokens);
    const res = await client.request<{ id: string }>({ url: `${url}/drive/v3/files/root?fields=id` });
    assert.match(res.data.id, /^0A.*Uk9PVA$/);
    assert.equal(google.stats.requests.token, 1);
  });

  it('rejects a reused code, a wrong or missing verifier and a different redirect_uri', async () => {
    const { url } = await startGoogle();
    const client = oauthClient(url);
    const { code, codeVerifier } = await pkceLogin(client);
    await assert.rejects(client.getToken({ code, codeVerifier: 'x'.repeat(43) }), oauthError(400, 'invalid_grant'));
    await assert.rejects(client.getToken({ code }), oauthError(400, 'invalid_grant'));
    await assert.rejects(client.getToken({ code, codeVerifier, redirect_uri: 'http://127.0.0.1:9/other' }), oauthError(400, 'redirect_uri_mismatch'));
    await client.getToken({ code, codeVerifier });
    await assert.rejects(client.getToken({ code, codeVerifier }), oauthError(400, 'invalid_grant'));
  });

  it('expires codes after 10 minutes', async () => {
    let now = Date.now();
    const { url } = await startGoogle({ now: () => now });
    const client = oauthClient(url);
    const { code, codeVerifier } = await pkceLogin(client);
    now += 10 * 60 * 1000;
    await assert.rejects(client.getToken({ code, codeVerifier }), oauthError(400, 'invalid_grant'));
  });

  it('authenticates the client by body or HTTP Basic, and refuses a wrong secret with 401 invalid_client', async () => {
    const { url } = await startGoogle();
    const basic = oauthClient(url, { clientAuthentication: ClientAuthentication.ClientSecretBasic });
    const first = await pkceLogin(basic);
    assert.ok((await basic.getToken({ code: first.code, codeVerifier: first.codeVerifier })).tokens.access_token);

    const wrong = oauthClient(url, { clientSecret: 'nope' });
    const second = await pkceLogin(wrong);
    await assert.rejects(wrong.getToken({ code: second.code, codeVerifier: second.codeVerifier }), oauthError(401, 'invalid_client'));
  });

  it('refreshes automatically once the access token expired', async () => {
    const { google, url } = await startGoogle();
    const client = oauthClient(url);
    const { code, codeVerifier } = await pkceLogin(client);
    const { tokens } = await client.getToken({ code, codeVerifier });
    client.setCredentials({ ...tokens, expiry_date: Date.now() - 1000 });

    const res = await client.request<{ id: string }>({ url: `${url}/drive/v3/files/root?fields=id` });
    assert.equal(res.status, 200);
    assert.equal(google.stats.tokenRefreshes, 1);
    assert.notEqual(client.credentials.access_token, tokens.access_token);
  });

  it('does not rotate the refresh token on refresh', async () => {
    const { url } = await startGoogle();
    const tokens = await login(url, { offline: true });
    const res = await fetch(`${url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
  });

  it('revokes: a revoked refresh token is invalid_grant and its access tokens get 401', async () => {
    const { google, url } = await startGoogle();
    const client = oauthClient(url);
    const { code, codeVerifier } = await pkceLogin(client);
    const { tokens } = await client.getToken({ code, codeVerifier });
    await client.revokeToken(tokens.refresh_token!);
    assert.deepEqual(google.revokedRefreshTokens(), [tokens.refresh_token]);
    client.setCredentials({ refresh_token: tokens.refresh_token });
    await assert.rejects(client.refreshAccessToken(), oauthError(400, 'invalid_grant'));
    const res = await drive(url, tokens.access_token!, '/drive/v3/files/root');
    assert.equal(res.status, 401);
    await assert.rejects(client.revokeToken(tokens.refresh_token!), oauthError(400, 'invalid_token'));
  });

  it('revoking an access token also revokes its refresh token', async () => {
    const { google, url } = await startGoogle();
    const tokens = await login(url, { offline: true });
    const res = await fetch(`${url}/revoke?token=${encodeURIComponent(tokens.access_token)}`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(google.revokedRefreshTokens(), [tokens.refresh_token]);
  });

  it('issues a refresh token only for access_type=offline and only when consent was shown', async () => {
    const { url } = await startGoogle();
    assert.equal((await login(url)).refresh_token, undefined);
    const client = oauthClient(url);
    const first = await pkceLogin(client);
    assert.ok((await client.getToken({ code: first.code, codeVerifier: first.codeVerifier })).tokens.refresh_token);
    // Same scopes again without prompt=consent: no consent screen, so no refresh token.
    const again = await pkceLogin(client, { prompt: 'select_account' });
    assert.equal(again.back.searchParams.get('prompt'), 'none');
    assert.equal((await client.getToken({ code: again.code, codeVerifier: again.codeVerifier })).tokens.refresh_token, undefined);
  });

  it('shows errors about client or redirect_uri as a page, never redirecting', async () => {
    const { url } = await startGoogle();
    const client = oauthClient(url);
    const mismatch = await fetch(client.generateAuthUrl({ scope: DRIVE_FILE, redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.headers.get('location'), null);
    assert.match(await mismatch.text(), /redirect_uri_mismatch/);
    const unknown = await fetch(client.generateAuthUrl({ scope: DRIVE_FILE, client_id: 'other' }), { redirect: 'manual' });
    assert.equal(unknown.status, 401);
    assert.match(await unknown.text(), /invalid_client/);
  });

  it('reports request errors back to a valid redirect_uri with the state', async () => {
    const { url } = await startGoogle();
    const client = oauthClient(url);
    const badScope = await consent(client.generateAuthUrl({ scope: 'https://www.googleapis.com/auth/gmail.send', state: 's' }));
    assert.equal(badScope.searchParams.get('error'), 'invalid_scope');
    assert.equal(badScope.searchParams.get('state'), 's');
    const badMethod = await consent(`${client.generateAuthUrl({ scope: DRIVE_FILE, state: 's' })}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S512`);
    assert.equal(badMethod.searchParams.get('error'), 'invalid_request');
  });

  it("answers access_denied in 'deny' mode", async () => {
    const { url } = await startGoogle({ consent: 'deny' });
    const back = await consent(oauthClient(url).generateAuthUrl({ scope: DRIVE_FILE, state: 'st' }));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'st');
    assert.equal(back.searchParams.get('code'), null);
  });

  it('simulates granular consent: an unticked Drive scope is missing from the grant and Drive answers 403', async () => {
    const { url } = await startGoogle({ grantedScopes: (requested) => requested.filter((s) => s !== DRIVE_FILE) });
    const tokens = await login(url, { scope: `openid email ${DRIVE_FILE}` });
    assert.equal(tokens.scope.includes(DRIVE_FILE), false);
    const res = await drive(url, tokens.access_token, '/drive/v3/files');
    assert.equal(res.status, 403);
    assert.equal(await errorReason(res), 'insufficientPermissions');
  });

  it("serves a no-JavaScript consent page in 'page' mode whose form decides", async () => {
    const { url } = await startGoogle({ consent: 'page' });
    const client = oauthClient(url);
    const page = await fetch(client.generateAuthUrl({ scope: ['openid', DRIVE_FILE], state: 'p' }));
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /<script/i);
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const requestId = /name="request" value="([^"]+)"/.exec(html)![1]!;
    assert.match(html, new RegExp(`name="scope" value="${DRIVE_FILE.replaceAll('.', '\\.')}" checked`));

    // The user unticks Drive and presses Allow: the browser submits the form.
    const form = new URLSearchParams({ request: requestId, decision: 'allow', scope: 'openid' });
    const submitted = await fetch(new URL(action, url), { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(submitted.status, 302);
    const back = new URL(submitted.headers.get('location')!);
    assert.equal(back.searchParams.get('scope'), 'openid');
    assert.equal(back.searchParams.get('state'), 'p');

    const replay = await fetch(new URL(action, url), { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(replay.status, 400);
  });
});
