import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createYandexEmulator, type YandexEmulatorOptions } from '../../src/emulators/yandex';
import { parseDiskPath } from '../../src/emulators/yandex/disk/paths';
import type { DiskError } from '../../src/emulators/yandex/errors';

const CLIENT_ID = 'yandex-test-client';
const CLIENT_SECRET = 'yandex-test-secret';
const REDIRECT_URI = 'http://127.0.0.1:9/oauth/yandex/callback';
const SCOPE = 'cloud_api:disk.write cloud_api:disk.read';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

interface Tokens {
  token_type: string;
  access_token: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
}
interface YandexErrorBody {
  message: string;
  description: string;
  error: string;
}

/** A Yandex emulator on an ephemeral port with a controllable clock, closed when the test file ends. */
async function start(extra: Partial<YandexEmulatorOptions> = {}) {
  const clock = { now: Date.now() };
  const yandex = createYandexEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI], now: () => clock.now, ...extra });
  const { url } = await yandex.listen();
  after(() => yandex.close());
  return { yandex, url, clock };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** GET /authorize like a browser that does not follow the redirect. */
function authorize(url: string, params: Record<string, string>): Promise<Response> {
  const query = new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: SCOPE, state: 'st', ...params });
  return fetch(`${url}/authorize?${query}`, { redirect: 'manual' });
}

async function codeFor(url: string, params: Record<string, string> = {}): Promise<string> {
  const res = await authorize(url, params);
  assert.equal(res.status, 302, await res.clone().text());
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  assert.ok(code);
  return code;
}

/** `authorization: null` sends no Authorization header (client credentials in the body, or none). */
function postForm(url: string, path: string, form: Record<string, string>, authorization: string | null = BASIC): Promise<Response> {
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  return fetch(`${url}${path}`, { method: 'POST', headers, body: new URLSearchParams(form) });
}

async function oauthError(res: Response, status: number, error: string): Promise<void> {
  assert.equal(res.status, status);
  assert.equal(((await res.json()) as { error: string }).error, error);
}

async function login(url: string, user?: string): Promise<Tokens> {
  const { verifier, challenge } = pkce();
  const code = await codeFor(url, { code_challenge: challenge, code_challenge_method: 'S256', ...(user ? { login_hint: user } : {}) });
  const res = await postForm(url, '/token', { grant_type: 'authorization_code', code, code_verifier: verifier });
  assert.equal(res.status, 200);
  return (await res.json()) as Tokens;
}

/** A logged-in Disk API client; paths are relative to the base URL. */
async function setup(extra: Partial<YandexEmulatorOptions> = {}) {
  const started = await start(extra);
  const tokens = await login(started.url);
  const call = (path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<Response> =>
    fetch(path.startsWith('http') ? path : `${started.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `OAuth ${init.token ?? tokens.access_token}`,
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
  const q = (path: string): string => encodeURIComponent(path);
  const mkdir = (path: string) => call(`/v1/disk/resources?path=${q(path)}`, { method: 'PUT' });
  const meta = async (path: string, extraQuery = ''): Promise<Record<string, unknown>> => {
    const res = await call(`/v1/disk/resources?path=${q(path)}${extraQuery}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Record<string, unknown>;
  };
  const link = async (path: string, overwrite?: boolean): Promise<{ href: string; operation_id: string }> => {
    const res = await call(`/v1/disk/resources/upload?path=${q(path)}${overwrite === undefined ? '' : `&overwrite=${overwrite}`}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { href: string; operation_id: string };
  };
  const put = (href: string, body: Buffer) => fetch(href, { method: 'PUT', body });
  const upload = async (path: string, body: Buffer): Promise<void> => {
    assert.equal((await put((await link(path)).href, body)).status, 201);
  };
  /** Polls an operation like a client does; every poll is a real round trip. */
  const settle = async (operationUrl: string): Promise<string> => {
    for (let i = 0; i < 1000; i++) {
      const { status } = (await (await call(operationUrl)).json()) as { status: string };
      if (status !== 'in-progress') return status;
    }
    throw new Error('operation never settled');
  };
  return { ...started, tokens, call, mkdir, meta, link, put, upload, settle };
}

async function errorName(res: Response): Promise<string> {
  const body = (await res.json()) as YandexErrorBody;
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.description, 'string');
  return body.error;
}

const sha = (algorithm: string, data: Buffer): string => createHash(algorithm).update(data).digest('hex');

/** A tiny source for "upload by URL": /photo.jpg, /missing (404) and /moved (302 to /photo.jpg). */
async function startSource(photo: Buffer): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/photo.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    else if (req.url === '/moved') res.writeHead(302, { location: '/photo.jpg' }).end();
    else res.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Yandex ID OAuth emulator', () => {
  it('runs the PKCE S256 code flow with client credentials in the body', async () => {
    const { yandex, url } = await start();
    const { verifier, challenge } = pkce();
    const res = await authorize(url, { code_challenge: challenge, code_challenge_method: 'S256', force_confirm: 'yes' });
    const back = new URL(res.headers.get('location')!);
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'st');
    const code = back.searchParams.get('code')!;

    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    const tokenRes = await postForm(url, '/token', form, null);
    assert.equal(tokenRes.status, 200);
    const tokens = (await tokenRes.json()) as Tokens;
    assert.deepEqual(Object.keys(tokens).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.expires_in, 31536000);
    assert.equal(tokens.scope, SCOPE);

    assert.equal((await fetch(`${url}/v1/disk/`, { headers: { authorization: `OAuth ${tokens.access_token}` } })).status, 200);
    const bearer = await fetch(`${url}/v1/disk/`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(bearer.status, 401);
    assert.deepEqual(await bearer.json(), { message: 'Не авторизован.', description: 'Unauthorized', error: 'UnauthorizedError' });
    assert.equal(yandex.stats.requests.token, 1);
  });

  it('rejects a wrong or missing verifier and a reused code', async () => {
    const { url } = await start();
    const { verifier, challenge } = pkce();
    const code = await codeFor(url, { code_challenge: challenge, code_challenge_method: 'S256' });
    const exchange = (extra: Record<string, string>) => postForm(url, '/token', { grant_type: 'authorization_code', code, ...extra });
    await oauthError(await exchange({ code_verifier: pkce().verifier }), 400, 'invalid_grant');
    await oauthError(await exchange({}), 400, 'invalid_grant');
    assert.equal((await exchange({ code_verifier: verifier })).status, 200);
    await oauthError(await exchange({ code_verifier: verifier }), 400, 'invalid_grant');
  });

  it('expires codes after 10 minutes', async () => {
    const { url, clock } = await start();
    const code = await codeFor(url);
    clock.now += 10 * 60 * 1000;
    await oauthError(await postForm(url, '/token', { grant_type: 'authorization_code', code }), 400, 'invalid_grant');
  });

  it('authenticates the client by Basic or body, refusing bad credentials and unknown grant types', async () => {
    const { url } = await start();
    const wrongBasic = `Basic ${Buffer.from(`${CLIENT_ID}:nope`).toString('base64')}`;
    const code = await codeFor(url);
    await oauthError(await postForm(url, '/token', { grant_type: 'authorization_code', code }, wrongBasic), 401, 'invalid_client');
    const body = { grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: 'nope' };
    await oauthError(await postForm(url, '/token', body, null), 401, 'invalid_client');
    await oauthError(await postForm(url, '/token', { grant_type: 'authorization_code', code }, null), 401, 'invalid_client');
    await oauthError(await postForm(url, '/token', { grant_type: 'password', username: 'u' }), 400, 'unsupported_grant_type');
    assert.equal((await postForm(url, '/token', { grant_type: 'authorization_code', code })).status, 200);
  });

  it('refreshes into a new token pair and keeps the old refresh token valid', async () => {
    const { yandex, url } = await start();
    const first = await login(url);
    const refresh = (token: string) => postForm(url, '/token', { grant_type: 'refresh_token', refresh_token: token });
    const second = (await (await refresh(first.refresh_token)).json()) as Tokens;
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await refresh(first.refresh_token)).status, 200);
    await oauthError(await refresh('1:made:up:token'), 400, 'invalid_grant');
    assert.equal(yandex.stats.tokenRefreshes, 2);
  });

  it('revokes an access token and the refresh tokens of its grant', async () => {
    const { yandex, url } = await start();
    const tokens = await login(url);
    const renewed = (await (await postForm(url, '/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).json()) as Tokens;
    const res = await postForm(url, '/revoke_token', { access_token: tokens.access_token });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    assert.equal((await fetch(`${url}/v1/disk/`, { headers: { authorization: `OAuth ${tokens.access_token}` } })).status, 401);
    for (const token of [tokens.refresh_token, renewed.refresh_token]) {
      await oauthError(await postForm(url, '/token', { grant_type: 'refresh_token', refresh_token: token }), 400, 'invalid_grant');
    }
    assert.deepEqual(yandex.revokedTokens().sort(), [tokens.access_token, tokens.refresh_token, renewed.refresh_token].sort());
    await oauthError(await postForm(url, '/revoke_token', { access_token: tokens.access_token }, null), 401, 'invalid_client');
  });

  it('shows client and redirect_uri errors as a page and redirects request errors with the state', async () => {
    const { url } = await start();
    const bad: Array<Record<string, string>> = [{ client_id: 'other' }, { redirect_uri: 'https://evil.example/cb' }];
    for (const params of bad) {
      const res = await authorize(url, params);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type')!, /text\/html/);
    }
    const errorOf = async (params: Record<string, string>) => new URL((await authorize(url, params)).headers.get('location')!).searchParams;
    assert.equal((await errorOf({ response_type: 'token' })).get('error'), 'unsupported_response_type');
    const plain = await errorOf({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
    assert.equal(plain.get('error'), 'invalid_request');
    assert.equal(plain.get('state'), 'st');
    assert.equal((await errorOf({ code_challenge: pkce().challenge })).get('error'), 'invalid_request');
  });

  it("answers access_denied in 'deny' mode and lets the form decide in 'page' mode", async () => {
    const { yandex, url } = await start({ consent: 'deny' });
    const denied = new URL((await authorize(url, {})).headers.get('location')!);
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('code'), null);

    yandex.setOptions({ consent: 'page' });
    const page = await authorize(url, {});
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /<script/i);
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const submit = (decision: string) => fetch(new URL(action, url), { method: 'POST', body: new URLSearchParams({ request, decision }), redirect: 'manual' });
    const allowed = await submit('allow');
    assert.equal(allowed.status, 302);
    const back = new URL(allowed.headers.get('location')!);
    assert.ok(back.searchParams.get('code'));
    assert.equal(back.searchParams.get('state'), 'st');
    assert.equal((await submit('allow')).status, 400, 'a consent request is single-use');
  });
});

describe('Yandex Disk REST emulator', () => {
  it('creates folders one level at a time with the documented 409s', async () => {
    const { call, mkdir, upload, url } = await setup();
    const created = await mkdir('disk:/Gallery');
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { href: `${url}/v1/disk/resources?path=disk%3A%2FGallery`, method: 'GET', templated: false });
    assert.equal((await mkdir('/Gallery/Album')).status, 201, 'disk:/ and / are the same');

    const exists = await mkdir('/Gallery');
    assert.equal(exists.status, 409);
    assert.equal(await errorName(exists), 'DiskPathPointsToExistentDirectoryError');
    const missing = await mkdir('/Nope/Child');
    assert.equal(missing.status, 409);
    assert.equal(await errorName(missing), 'DiskPathDoesntExistsError');
    await upload('/Gallery/a.jpg', Buffer.from('a'));
    const onFile = await mkdir('/Gallery/a.jpg');
    assert.equal(onFile.status, 409);
    assert.equal(await errorName(onFile), 'DiskResourceAlreadyExistsError');
    assert.equal((await call('/v1/disk/resources?path=%2FGallery', { method: 'POST' })).status, 405);
    assert.equal((await call('/v1/disk/nothing-here')).status, 404);
  });

  it('deletes a file or a folder with everything in it, to the trash unless permanently (gone from the paths either way, the trash still counted); 404 for nothing, 400 for the root', async () => {
    const { call, mkdir, upload, yandex } = await setup();
    const space = async () => (await (await call('/v1/disk?fields=used_space,trash_size')).json()) as { used_space: number; trash_size: number };
    await mkdir('/Del');
    await mkdir('/Del/Sub');
    await upload('/Del/Sub/x.jpg', Buffer.from('x'));
    await upload('/Del/y.jpg', Buffer.from('y'));
    assert.equal((await call('/v1/disk/resources?path=%2FDel%2Fy.jpg&permanently=true', { method: 'DELETE' })).status, 204);
    assert.deepEqual(yandex.tree().map((n) => n.path), ['/Del', '/Del/Sub', '/Del/Sub/x.jpg']);
    assert.deepEqual(await space(), { used_space: 1, trash_size: 0 });
    assert.equal((await call('/v1/disk/resources?path=%2FDel', { method: 'DELETE' })).status, 204);
    assert.deepEqual(yandex.tree(), []);
    assert.equal((await call('/v1/disk/resources?path=%2FDel%2FSub')).status, 404);
    assert.deepEqual(await space(), { used_space: 1, trash_size: 1 });
    const gone = await call('/v1/disk/resources?path=%2FDel', { method: 'DELETE' });
    assert.equal(gone.status, 404);
    assert.equal(await errorName(gone), 'DiskNotFoundError');
    assert.equal((await call('/v1/disk/resources?path=%2F', { method: 'DELETE' })).status, 400);
  });

  it('moves a file or a folder with its contents and custom_properties; 409 for a taken name, 404 for nothing', async () => {
    const { call, mkdir, upload, yandex, url, settle } = await setup();
    const move = (from: string, path: string, extra = '') =>
      call(`/v1/disk/resources/move?from=${encodeURIComponent(from)}&path=${encodeURIComponent(path)}${extra}`, { method: 'POST' });
    await mkdir('/Staging');
    assert.equal((await call('/v1/disk/resources?path=%2FStaging', { method: 'PATCH', json: { custom_properties: { owner: 't1' } } })).status, 200);
    const moved = await move('/Staging', '/Gallery');
    assert.equal(moved.status, 201, 'an empty folder moves at once');
    assert.deepEqual(await moved.json(), { href: `${url}/v1/disk/resources?path=disk%3A%2FGallery`, method: 'GET', templated: false });
    assert.deepEqual(yandex.tree(), [{ path: '/Gallery', type: 'dir', customProperties: { owner: 't1' } }]);

    await mkdir('/Gallery/Album');
    await upload('/Gallery/Album/a.jpg', Buffer.from('a'));
    const taken = await move('/Gallery/Album/a.jpg', '/Gallery');
    assert.equal(taken.status, 409);
    assert.equal(await errorName(taken), 'DiskResourceAlreadyExistsError');
    assert.equal((await move('/Gallery/Album/a.jpg', '/Gallery/b.jpg')).status, 201, 'a file moves at once');
    const full = await move('/Gallery', '/Wedding');
    assert.equal(full.status, 202, 'a folder with contents answers with an operation');
    assert.equal(await settle(((await full.json()) as { href: string }).href), 'success');
    assert.deepEqual(yandex.tree().map((n) => n.path), ['/Wedding', '/Wedding/Album', '/Wedding/b.jpg']);
    assert.equal(yandex.tree()[0]!.customProperties?.owner, 't1');

    const missing = await move('/Nope', '/Other');
    assert.equal(missing.status, 404);
    assert.equal(await errorName(missing), 'DiskNotFoundError');
    const noParent = await move('/Wedding/b.jpg', '/Nope/b.jpg');
    assert.equal(noParent.status, 409);
    assert.equal(await errorName(noParent), 'DiskPathDoesntExistsError');
    assert.equal((await move('/Wedding', '/Wedding/Album/x')).status, 400, 'not into itself');
    assert.equal((await move('/', '/x')).status, 400);

    yandex.faults.add({ op: 'move', action: 'commitThenReset' });
    await assert.rejects(move('/Wedding/b.jpg', '/Wedding/c.jpg'));
    assert.equal((await move('/Wedding/b.jpg', '/Wedding/c.jpg')).status, 404, 'the move happened; the answer was lost');
    assert.equal(yandex.stats.requests.move, 10);
  });

  it('rejects malformed paths with 400 FieldValidationError', async () => {
    const { mkdir, call } = await setup();
    const bad = ['Gallery', 'disk:Gallery', '/a/../b', '/a/./b', '/a//b', '/a/', `/${'n'.repeat(256)}`, 'disk:/a:b', 'app:/x', ''];
    for (const path of bad) {
      const res = await mkdir(path);
      assert.equal(res.status, 400, path.slice(0, 40));
      assert.equal(await errorName(res), 'FieldValidationError');
    }
    assert.equal((await mkdir(`/${'n'.repeat(255)}`)).status, 201);
    assert.equal((await call('/v1/disk/resources')).status, 400, 'path is required');
    // Node's HTTP parser answers 431 to a request line this long, so the 32760 limit is checked in-process.
    assert.throws(() => parseDiskPath(`/${'a/'.repeat(16380)}a`), (err: DiskError) => err.error === 'FieldValidationError');
    assert.equal(parseDiskPath(`/${'a/'.repeat(16379)}a`).length, 32760);
  });

  it('answers metadata with fields, pagination and 404', async () => {
    const { meta, mkdir, upload, call } = await setup();
    await mkdir('/G');
    for (const name of ['b.jpg', 'a.png', 'c.txt']) await upload(`/G/${name}`, Buffer.from(name));
    const dir = await meta('/G', '&limit=2&offset=1');
    assert.equal(dir.path, 'disk:/G');
    assert.equal(dir.name, 'G');
    assert.equal(dir.type, 'dir');
    assert.match(dir.created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.match(dir.resource_id as string, /^\d+:[0-9a-f]{64}$/);
    const embedded = dir._embedded as { items: Array<{ name: string }>; limit: number; offset: number; total: number; path: string };
    assert.deepEqual(embedded.items.map((i) => i.name), ['b.jpg', 'c.txt']);
    assert.deepEqual([embedded.limit, embedded.offset, embedded.total, embedded.path], [2, 1, 3, 'disk:/G']);

    const file = await meta('/G/b.jpg');
    assert.equal(file.mime_type, 'image/jpeg');
    assert.equal(file.size, 5);
    assert.equal(file._embedded, undefined);
    assert.deepEqual(await meta('/G/b.jpg', '&fields=name,size'), { name: 'b.jpg', size: 5 });
    assert.deepEqual(await meta('/G', '&fields=_embedded.items.name,_embedded.total'), {
      _embedded: { items: [{ name: 'a.png' }, { name: 'b.jpg' }, { name: 'c.txt' }], total: 3 },
    });
    assert.equal((await meta('/')).name, 'disk');
    const missing = await call('/v1/disk/resources?path=%2FG%2Fzzz.jpg');
    assert.equal(missing.status, 404);
    assert.equal(await errorName(missing), 'DiskNotFoundError');
    assert.equal((await call('/v1/disk/resources?path=%2FG&limit=-1')).status, 400);
  });

  it('merges custom_properties on PATCH, deletes null keys and limits them to 1024 bytes', async () => {
    const { yandex, call, mkdir, meta } = await setup();
    await mkdir('/G');
    const patch = (json: unknown) => call('/v1/disk/resources?path=%2FG', { method: 'PATCH', json });
    assert.equal((await patch({ custom_properties: { galleryId: '7', state: 'copying' } })).status, 200);
    const res = await patch({ custom_properties: { state: null, done: true } });
    assert.deepEqual(((await res.json()) as { custom_properties: unknown }).custom_properties, { galleryId: '7', done: true });
    assert.deepEqual((await meta('/G')).custom_properties, { galleryId: '7', done: true });
    assert.deepEqual(yandex.tree()[0], { path: '/G', type: 'dir', customProperties: { galleryId: '7', done: true } });

    const tooBig = await patch({ custom_properties: { big: 'x'.repeat(1024) } });
    assert.equal(tooBig.status, 400);
    assert.equal(await errorName(tooBig), 'FieldValidationError');
    assert.equal((await patch({ name: 'x' })).status, 400);
    assert.equal((await call('/v1/disk/resources?path=%2FNope', { method: 'PATCH', json: { custom_properties: {} } })).status, 404);
  });

  it('reports total and used space, and the owner (uid stable per account), narrowed by fields', async () => {
    const { call, upload, url } = await setup({ storageQuotaBytes: 1000 });
    await upload('/a.bin', Buffer.alloc(100));
    const whole = (await (await call('/v1/disk/')).json()) as { user: { uid: string } };
    assert.match(whole.user.uid, /^\d+$/);
    assert.deepEqual(whole, { total_space: 1000, used_space: 100, trash_size: 0, max_file_size: 50 * 1024 ** 3, user: { country: 'ru', login: 'user@yandex.ru', display_name: 'user@yandex.ru', uid: whole.user.uid } });
    assert.deepEqual(await (await call('/v1/disk?fields=user.uid')).json(), { user: { uid: whole.user.uid } });
    const other = await login(url, 'other@yandex.ru');
    const theirs = (await (await call('/v1/disk?fields=user.uid', { token: other.access_token })).json()) as { user: { uid: string } };
    assert.notEqual(theirs.user.uid, whole.user.uid);
  });
});

describe('Yandex Disk uploads', () => {
  it('uploads through a link: 201, then metadata with the right size, md5 and sha256', async () => {
    const { yandex, link, put, meta, url } = await setup();
    const data = randomBytes(70_000);
    const { href, operation_id } = await link('/photo.jpg');
    assert.match(href, new RegExp(`^${url}/upload-target/`));
    assert.match(operation_id, /^[0-9a-f]+$/);
    const res = await put(href, data);
    assert.equal(res.status, 201);
    assert.equal(await res.text(), '');
    const file = await meta('/photo.jpg');
    assert.deepEqual([file.size, file.md5, file.sha256], [data.length, sha('md5', data), sha('sha256', data)]);
    assert.deepEqual(yandex.fileContent('/photo.jpg'), data);
    assert.equal(yandex.stats.uploadBytesReceivedFor('photo.jpg'), data.length);
    assert.equal(yandex.stats.requests.upload, 1);
  });

  it('refuses an existing file unless overwrite=true, and a spent href with 409', async () => {
    const { link, put, upload, meta, call } = await setup();
    await upload('/a.txt', Buffer.from('one'));
    const conflict = await call('/v1/disk/resources/upload?path=%2Fa.txt&overwrite=false');
    assert.equal(conflict.status, 409);
    assert.equal(await errorName(conflict), 'DiskResourceAlreadyExistsError');
    assert.equal((await call('/v1/disk/resources/upload?path=%2FNope%2Fa.txt')).status, 409);
    assert.equal((await call('/v1/disk/resources/upload?path=%2Fa.txt&overwrite=yes')).status, 400);

    const { href } = await link('/a.txt', true);
    assert.equal((await put(href, Buffer.from('two!'))).status, 201);
    assert.equal((await meta('/a.txt')).size, 4);
    const again = await put(href, Buffer.from('two!'));
    assert.equal(again.status, 409);
    assert.equal(await errorName(again), 'DiskResourceAlreadyExistsError');

    // Two links for the same new path: the second PUT finds the file already there.
    const [first, second] = [await link('/b.txt'), await link('/b.txt')];
    assert.equal((await put(first.href, Buffer.from('b'))).status, 201);
    assert.equal((await put(second.href, Buffer.from('b'))).status, 409);
  });

  it('stores nothing for a cut-off PUT and keeps the href usable', async () => {
    const { yandex, link, put, meta } = await setup();
    const data = randomBytes(64 * 1024);
    const { href } = await link('/cut.bin');
    await new Promise<void>((resolve) => {
      const req = request(href, { method: 'PUT', headers: { 'content-length': String(data.length) } });
      req.on('error', () => resolve());
      req.write(data.subarray(0, 1000), () => req.destroy());
    });
    // Wait (without sleeping) until the emulator saw the partial body.
    for (let i = 0; i < 10_000 && yandex.stats.bytesUploaded < 1000; i++) await new Promise(setImmediate);
    assert.equal(yandex.stats.bytesUploaded, 1000);
    assert.deepEqual(yandex.tree(), []);
    assert.equal((await put(href, data)).status, 201);
    assert.equal((await meta('/cut.bin')).md5, sha('md5', data));
    assert.equal(yandex.stats.uploadBytesReceivedFor('/cut.bin'), 1000 + data.length);
  });

  it('expires hrefs after 30 minutes (410 Gone), or after uploadLinkTtlMs; an unknown href is 404', async () => {
    const { yandex, link, put, clock, call } = await setup();
    const { href, operation_id } = await link('/late.bin');
    clock.now += 30 * 60 * 1000;
    const res = await put(href, Buffer.from('x'));
    assert.equal(res.status, 410);
    await errorName(res);
    assert.equal((await put(`${href}zz`, Buffer.from('x'))).status, 404);
    assert.deepEqual(await (await call(`/v1/disk/operations/${operation_id}`)).json(), { status: 'failed' });

    yandex.setOptions({ uploadLinkTtlMs: 200 });
    const short = await link('/short.bin');
    clock.now += 199;
    assert.equal((await put(short.href, Buffer.from('x'))).status, 201, 'alive until its lifetime ends');
    const shorter = await link('/shorter.bin');
    clock.now += 200;
    assert.equal((await put(shorter.href, Buffer.from('x'))).status, 410);
    assert.equal((await put(short.href, Buffer.from('x'))).status, 409, 'a spent href is still known');
  });

  it('answers 413 above maxFileBytes and 507 above the quota', async () => {
    const { yandex, link, put, upload } = await setup({ maxFileBytes: 100, storageQuotaBytes: 150 });
    const tooLarge = await put((await link('/big.bin')).href, Buffer.alloc(101));
    assert.equal(tooLarge.status, 413);
    assert.equal(await errorName(tooLarge), 'PayloadTooLarge');
    await upload('/a.bin', Buffer.alloc(100));
    const full = await put((await link('/b.bin')).href, Buffer.alloc(60));
    assert.equal(full.status, 507);
    assert.equal(await errorName(full), 'InsufficientStorageError');
    yandex.setOptions({ storageQuotaBytes: undefined });
    await upload('/b.bin', Buffer.alloc(60));
  });

  it('finalises after finalizeDelayMs: 202, and the operation is in-progress until the file appears', async () => {
    const { link, put, call, clock, yandex } = await setup({ finalizeDelayMs: 3000 });
    const { href, operation_id } = await link('/slow.jpg');
    const status = async () => ((await (await call(`/v1/disk/operations/${operation_id}`)).json()) as { status: string }).status;
    assert.equal(await status(), 'in-progress');
    assert.equal((await put(href, Buffer.from('img'))).status, 202, 'accepted, not on the Disk yet');
    assert.equal(await status(), 'in-progress');
    assert.equal((await call('/v1/disk/resources?path=%2Fslow.jpg')).status, 404);
    clock.now += 3000;
    assert.equal(await status(), 'success');
    assert.equal(yandex.tree()[0]!.path, '/slow.jpg');
    const unknown = await call('/v1/disk/operations/0123abcd');
    assert.equal(unknown.status, 404);
    assert.equal(await errorName(unknown), 'DiskOperationNotFoundError');
  });

  it('uploads by URL in the background: success, a failing source, and disable_redirects', async () => {
    const { yandex, call, meta, settle, upload, url } = await setup();
    const photo = randomBytes(20_000);
    const source = await startSource(photo);
    const byUrl = (from: string, path: string, extra = '') =>
      call(`/v1/disk/resources/upload?url=${encodeURIComponent(from)}&path=${encodeURIComponent(path)}${extra}`, { method: 'POST' });

    const accepted = await byUrl(`${source}/photo.jpg`, '/fetched.jpg');
    assert.equal(accepted.status, 202);
    const { href, method, templated } = (await accepted.json()) as { href: string; method: string; templated: boolean };
    assert.match(href, new RegExp(`^${url}/v1/disk/operations/[0-9a-f]+$`));
    assert.deepEqual([method, templated], ['GET', false]);
    assert.equal(await settle(href), 'success');
    assert.equal((await meta('/fetched.jpg')).md5, sha('md5', photo));

    const missing = (await (await byUrl(`${source}/missing`, '/missing.jpg')).json()) as { href: string };
    assert.equal(await settle(missing.href), 'failed');
    const followed = (await (await byUrl(`${source}/moved`, '/followed.jpg')).json()) as { href: string };
    assert.equal(await settle(followed.href), 'success');
    const blocked = (await (await byUrl(`${source}/moved`, '/blocked.jpg', '&disable_redirects=true')).json()) as { href: string };
    assert.equal(await settle(blocked.href), 'failed');
    assert.deepEqual(yandex.tree().map((n) => n.path), ['/fetched.jpg', '/followed.jpg']);
    assert.equal(yandex.stats.uploadsByUrl, 4);
    assert.equal(yandex.stats.bytesFetched, 2 * photo.length);

    await upload('/taken.jpg', Buffer.from('x'));
    const taken = await byUrl(`${source}/photo.jpg`, '/taken.jpg');
    assert.equal(taken.status, 409);
    assert.equal(await errorName(taken), 'DiskResourceAlreadyExistsError');
    assert.equal((await byUrl(`${source}/photo.jpg`, '/nope/x.jpg')).status, 409);
    assert.equal((await byUrl('ftp://example.com/x', '/x.jpg')).status, 400);
  });
});

describe('Yandex emulator controls', () => {
  it('limits writes per user with 429 TooManyRequestsError and Retry-After', async () => {
    const { yandex, mkdir, call, clock } = await setup({ writesPerSecond: 1, writeBurst: 2, retryAfterSeconds: 3 });
    assert.equal((await mkdir('/a')).status, 201);
    assert.equal((await mkdir('/b')).status, 201);
    const limited = await mkdir('/c');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(await errorName(limited), 'TooManyRequestsError');
    assert.equal((await call('/v1/disk/resources/upload?path=%2Fc.bin')).status, 429, 'upload links are writes');
    assert.equal((await call('/v1/disk/resources?path=%2Fa')).status, 200, 'reads are free');
    assert.equal(yandex.stats.rateLimited, 2);
    clock.now += 1000;
    assert.equal((await mkdir('/c')).status, 201);
  });

  it('injects status faults, resets and commit-then-reset', async () => {
    const { yandex, mkdir, link, put, meta, call } = await setup();
    yandex.faults.add({ op: 'mkdir', action: { status: 503 } });
    const failed = await mkdir('/a');
    assert.equal(failed.status, 503);
    assert.equal(await errorName(failed), 'ServiceUnavailableError');
    assert.equal((await mkdir('/a')).status, 201, 'the fault hit once and did no work');

    yandex.faults.add({ op: 'getResource', action: 'reset' });
    await assert.rejects(call('/v1/disk/resources?path=%2Fa'));
    assert.equal((await call('/v1/disk/resources?path=%2Fa')).status, 200);

    yandex.faults.add({ op: 'upload', action: 'commitThenReset', when: (ctx) => ctx.path === '/lost.bin' });
    const { href } = await link('/lost.bin');
    await assert.rejects(put(href, Buffer.from('data')));
    assert.equal((await put(href, Buffer.from('data'))).status, 409, 'the write happened; the answer was lost');
    assert.equal((await meta('/lost.bin')).size, 4);
    assert.deepEqual(yandex.faults.fired.map((f) => f.ctx.op), ['mkdir', 'getResource', 'upload']);
  });

  it('stores damaged copies on demand: a flipped byte or a lost last byte, through hrefs and by URL', async () => {
    const { yandex, link, put, meta, call, settle } = await setup();
    const photo = randomBytes(50_000);
    const source = await startSource(photo);
    yandex.faults.add({ op: 'upload', action: 'corruptStored' });
    yandex.faults.add({ op: 'upload', action: 'truncateStored' });
    yandex.faults.add({ op: 'mkdir', action: 'corruptStored' });
    assert.equal((await put((await link('/flipped.jpg')).href, photo)).status, 201);
    assert.equal((await put((await link('/short.jpg')).href, photo)).status, 201);
    const flipped = await meta('/flipped.jpg');
    assert.equal(flipped.size, photo.length, 'same size');
    assert.notEqual(flipped.md5, sha('md5', photo));
    const expected = Buffer.from(photo);
    expected[0] = expected[0]! ^ 0xff;
    assert.equal(flipped.md5, sha('md5', expected));
    assert.deepEqual([(await meta('/short.jpg')).size, (await meta('/short.jpg')).md5], [photo.length - 1, sha('md5', photo.subarray(0, -1))]);

    yandex.faults.add({ op: 'uploadByUrl', action: 'truncateStored' });
    const byUrl = await call(`/v1/disk/resources/upload?url=${encodeURIComponent(`${source}/photo.jpg`)}&path=%2Ffetched.jpg`, { method: 'POST' });
    assert.equal(await settle(((await byUrl.json()) as { href: string }).href), 'success');
    assert.equal((await meta('/fetched.jpg')).size, photo.length - 1);
    assert.deepEqual(yandex.faults.fired.map((f) => `${f.ctx.op} ${String(f.action)}`), ['upload corruptStored', 'upload truncateStored', 'uploadByUrl truncateStored']);
    assert.equal((await call('/v1/disk/resources?path=%2Fdir', { method: 'PUT' })).status, 201);
    assert.equal(yandex.faults.fired.length, 3, 'a damage fault never fires on a request that stores no file');
  });

  it('expires every access token on demand; a refresh brings access back', async () => {
    const { yandex, call, tokens, url } = await setup();
    yandex.expireAllAccessTokens();
    assert.equal((await call('/v1/disk/')).status, 401);
    const res = await postForm(url, '/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    const renewed = (await res.json()) as Tokens;
    assert.equal((await call('/v1/disk/', { token: renewed.access_token })).status, 200);
    assert.equal(yandex.stats.unauthorized, 1);
  });

  it('lists issued secrets and keeps users apart (login_hint), with tree() sorted by path', async () => {
    const { yandex, tokens, mkdir, upload, link, url, call } = await setup();
    await mkdir('/B');
    await upload('/B/z.jpg', Buffer.from('z'));
    await mkdir('/A');
    const { href, operation_id } = await link('/A/pending.jpg');
    const secrets = yandex.issuedSecrets();
    assert.equal(secrets.codes.length, 1);
    assert.deepEqual(secrets.accessTokens, [tokens.access_token]);
    assert.deepEqual(secrets.refreshTokens, [tokens.refresh_token]);
    assert.equal(secrets.uploadHrefs.length, 2);
    assert.ok(secrets.uploadHrefs.includes(href));
    assert.ok(secrets.operationIds.includes(operation_id));
    assert.match(tokens.access_token, /^y0_/);

    assert.deepEqual(yandex.tree(), [
      { path: '/A', type: 'dir' },
      { path: '/B', type: 'dir' },
      { path: '/B/z.jpg', type: 'file', size: 1, md5: sha('md5', Buffer.from('z')), sha256: sha('sha256', Buffer.from('z')) },
    ]);
    assert.deepEqual(await (await fetch(`${url}/__emulator/tree`)).json(), yandex.tree());

    const other = await login(url, 'other@yandex.ru');
    assert.equal((await call('/v1/disk/resources?path=%2FB', { token: other.access_token })).status, 404);
    assert.equal((await call(`/v1/disk/operations/${operation_id}`, { token: other.access_token })).status, 404);
    assert.deepEqual(yandex.tree('other@yandex.ru'), []);
  });

  it('adds latencyMs before Disk API answers', async () => {
    const { yandex, call } = await setup();
    yandex.setOptions({ latencyMs: 50 });
    const started = performance.now();
    assert.equal((await call('/v1/disk/')).status, 200);
    assert.ok(performance.now() - started >= 45);
  });
});
