import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE } from '../../src/emulators/google';
import { waitFor } from '../helpers/polling';
import { DRIVE_FILE, login, startGoogle } from './support';

const APPEND = PHOTOS_APPENDONLY_SCOPE;
const READ = PHOTOS_READ_APP_CREATED_SCOPE;
const GRANULARITY = 256 * 1024;

interface RpcError {
  error: { code: number; message: string; status: string };
}
interface ItemResult {
  uploadToken: string;
  status: { code?: number; message: string };
  mediaItem?: { id: string; filename: string; description?: string; productUrl: string; mimeType: string };
}

const pattern = (size: number, seed = 0): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) % 251));
const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

/** An emulator and a token; `call` is a fetch against the Library API with that token. */
async function setup(extra: Parameters<typeof startGoogle>[0] = {}, scope = `${APPEND} ${READ}`) {
  const { google, url } = await startGoogle(extra);
  const token = (await login(url, { scope })).access_token;
  return { google, url, token, ...client(url, token) };
}

function client(url: string, token: string) {
  const call = (path: string, init: { method?: string; json?: unknown; headers?: Record<string, string>; body?: Buffer } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
    return fetch(path.startsWith('http') ? path : `${url}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  };
  const rawUpload = async (bytes: Buffer, name?: string): Promise<string> => {
    const res = await call('/v1/uploads', {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream', 'x-goog-upload-protocol': 'raw', 'x-goog-upload-content-type': 'image/jpeg', ...(name ? { 'x-goog-upload-file-name': name } : {}) },
    });
    assert.equal(res.status, 200, await res.clone().text());
    return res.text();
  };
  const start = async (size: number, name = 'big.jpg'): Promise<Response> =>
    call('/v1/uploads', {
      method: 'POST',
      headers: { 'content-length': '0', 'x-goog-upload-command': 'start', 'x-goog-upload-content-type': 'image/jpeg', 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-raw-size': String(size), 'x-goog-upload-file-name': name },
    });
  const session = async (size: number, name?: string): Promise<string> => (await start(size, name)).headers.get('x-goog-upload-url')!;
  const send = (uploadUrl: string, bytes: Buffer, offset: number, command = 'upload') =>
    call(uploadUrl, { body: bytes, headers: { 'x-goog-upload-command': command, 'x-goog-upload-offset': String(offset) } });
  const query = (uploadUrl: string) => call(uploadUrl, { method: 'POST', headers: { 'content-length': '0', 'x-goog-upload-command': 'query' } });
  const createAlbum = async (title: string): Promise<string> => {
    const res = await call('/v1/albums', { json: { album: { title } } });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  };
  const batchCreate = (items: Array<{ uploadToken: string; fileName?: string; description?: string }>, albumId?: string) =>
    call('/v1/mediaItems:batchCreate', {
      json: { ...(albumId ? { albumId } : {}), newMediaItems: items.map(({ uploadToken, fileName, description }) => ({ description, simpleMediaItem: { uploadToken, fileName } })) },
    });
  const search = (body: Record<string, unknown>) => call('/v1/mediaItems:search', { json: body });
  return { call, rawUpload, start, session, send, query, createAlbum, batchCreate, search };
}

async function rpcError(res: Response): Promise<RpcError['error']> {
  return ((await res.json()) as RpcError).error;
}

async function results(res: Response): Promise<ItemResult[]> {
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { newMediaItemResults: ItemResult[] }).newMediaItemResults;
}

/** Sends part of a body, then drops the connection: a transfer cut by the network. */
function cutUpload(uploadUrl: string, token: string, offset: number, declared: number, sent: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const req = request(uploadUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-length': String(declared), 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': String(offset) },
    });
    req.on('error', () => resolve());
    req.write(sent, () => {
      req.destroy();
      resolve();
    });
  });
}

describe('Google Photos: uploads and batchCreate', () => {
  it('raw upload, then batchCreate into an app album; the item shows up in search and in tree()', async () => {
    const { google, rawUpload, createAlbum, batchCreate, search } = await setup();
    const bytes = pattern(5000);
    const uploadToken = await rawUpload(bytes, 'ignored.jpg');
    const albumId = await createAlbum('Wedding');
    const [result] = await results(await batchCreate([{ uploadToken, fileName: 'IMG_0001.jpg', description: 'first dance' }], albumId));
    assert.equal(result!.uploadToken, uploadToken);
    assert.deepEqual(result!.status, { message: 'Success' });
    const item = result!.mediaItem!;
    assert.equal(item.filename, 'IMG_0001.jpg', 'batchCreate fileName wins over X-Goog-Upload-File-Name');
    assert.equal(item.description, 'first dance');
    assert.equal(item.mimeType, 'image/jpeg');
    assert.equal(item.productUrl, `https://photos.google.com/lr/photo/${item.id}`);

    const found = (await (await search({ albumId })).json()) as { mediaItems: Array<{ id: string }> };
    assert.deepEqual(found.mediaItems.map((m) => m.id), [item.id]);
    const [album] = google.photos.tree().albums;
    assert.equal(album!.title, 'Wedding');
    const node = album!.items[0]!;
    assert.deepEqual([node.filename, node.size, node.md5, node.crc32], [
      'IMG_0001.jpg',
      bytes.length,
      md5(bytes),
      crc32(bytes).toString(16).padStart(8, '0'),
    ]);
    assert.equal(google.stats.requests.photosRawUpload, 1);
    assert.equal(google.stats.requests.photosBatchCreate, 1);
  });

  it('refuses more than 50 items per call, before anything is created', async () => {
    const { google, rawUpload, batchCreate } = await setup();
    const tokens = await Promise.all(Array.from({ length: 51 }, (_, i) => rawUpload(pattern(10, i), `p${i}.jpg`)));
    const over = await batchCreate(tokens.map((uploadToken) => ({ uploadToken })));
    assert.equal(over.status, 400);
    assert.deepEqual(await rpcError(over), { code: 400, message: 'Request must have less than 50 items.', status: 'INVALID_ARGUMENT' });
    assert.equal(google.photos.tree().items.length, 0);
    const fifty = await results(await batchCreate(tokens.slice(0, 50).map((uploadToken) => ({ uploadToken }))));
    assert.equal(fifty.filter((r) => r.status.message === 'Success').length, 50);
  });

  it("refuses an album the app did not create, and unknown albums; neither is listed nor readable", async () => {
    const { google, rawUpload, batchCreate, call, createAlbum } = await setup();
    const foreign = google.photos.addUserAlbum('Made in the Photos app');
    const uploadToken = await rawUpload(pattern(100), 'a.jpg');
    const refused = await batchCreate([{ uploadToken }], foreign);
    assert.equal(refused.status, 400);
    assert.equal((await rpcError(refused)).message, 'No permission to add media items to this album.');
    const unknown = await batchCreate([{ uploadToken }], 'AFnotAnAlbum');
    assert.equal((await rpcError(unknown)).message, 'The provided ID does not match any albums.');
    assert.equal((await call(`/v1/albums/${foreign}`)).status, 404);
    const mine = await createAlbum('Mine');
    const listed = (await (await call('/v1/albums')).json()) as { albums: Array<{ id: string; isWriteable: boolean }> };
    assert.deepEqual(listed.albums.map((a) => a.id), [mine]);
    assert.equal(google.photos.tree().items.length, 0);
  });

  it('an upload token works once, for its own user, for one day', async () => {
    let now = Date.parse('2026-03-10T12:00:00Z');
    // Access tokens that outlive the day, so the upload token's age is what is tested.
    const { url, rawUpload, batchCreate } = await setup({ now: () => now, accessTokenTtlSeconds: 3 * 24 * 3600 });
    const once = await rawUpload(pattern(100), 'a.jpg');
    await results(await batchCreate([{ uploadToken: once }]));
    const again = await batchCreate([{ uploadToken: once }]);
    assert.equal(again.status, 400);
    assert.equal((await rpcError(again)).message, 'Request must contain a valid upload token.');

    const other = client(url, (await login(url, { scope: `${APPEND} ${READ}`, user: 'other@example.com' })).access_token);
    const theirs = await other.rawUpload(pattern(100), 'b.jpg');
    assert.equal((await batchCreate([{ uploadToken: theirs }])).status, 400, "another user's token");

    const stale = await rawUpload(pattern(100), 'c.jpg');
    now += 24 * 3600 * 1000;
    assert.equal((await batchCreate([{ uploadToken: stale }])).status, 400, 'a token older than a day');
  });

  it('refuses unsupported formats and oversized photos per item, inside the 200', async () => {
    const { google, rawUpload, batchCreate } = await setup({ photosMaxPhotoBytes: 1000 });
    const text = await rawUpload(pattern(100), 'notes.txt');
    const big = await rawUpload(pattern(1001), 'big.jpg');
    const video = await rawUpload(pattern(1001), 'clip.mp4');
    const [notImage, tooBig, ok] = await results(await batchCreate([{ uploadToken: text }, { uploadToken: big }, { uploadToken: video }]));
    assert.equal(notImage!.status.code, 3);
    assert.match(notImage!.status.message, /^NOT_IMAGE/);
    assert.equal(tooBig!.status.code, 3);
    assert.equal(notImage!.mediaItem, undefined);
    assert.equal(ok!.mediaItem!.mimeType, 'video/mp4');
    assert.deepEqual(google.photos.tree().items.map((i) => i.filename), ['clip.mp4']);
  });

  it('refuses unknown JSON fields, like a misspelt fileName, instead of dropping them', async () => {
    const { rawUpload, call } = await setup();
    const uploadToken = await rawUpload(pattern(10), 'a.jpg');
    const res = await call('/v1/mediaItems:batchCreate', { json: { newMediaItems: [{ simpleMediaItem: { uploadToken, filename: 'a.jpg' } }] } });
    assert.equal(res.status, 400);
    assert.match((await rpcError(res)).message, /Unknown name "filename"/);
  });

  it('answers the storage-full error when the account (Drive + Photos) has no room, creating nothing', async () => {
    const { google, rawUpload, batchCreate } = await setup({ storageQuotaBytes: 1500 });
    const first = await rawUpload(pattern(1000), 'a.jpg');
    await results(await batchCreate([{ uploadToken: first }]));
    const second = await rawUpload(pattern(1000, 1), 'b.jpg');
    const full = await batchCreate([{ uploadToken: second }]);
    assert.equal(full.status, 400);
    assert.deepEqual(await rpcError(full), {
      code: 400,
      message: "The remaining storage in the user's account is not enough to perform this operation.",
      status: 'INVALID_ARGUMENT',
    });
    assert.equal(google.photos.tree().items.length, 1);
    google.setOptions({ storageQuotaBytes: 2000 });
    assert.equal((await results(await batchCreate([{ uploadToken: second }])))[0]!.status.message, 'Success', 'a refused call leaves its token usable');
  });
});

describe('Google Photos: resumable uploads', () => {
  it('starts a session, takes granularity-sized chunks at matching offsets, finalizes with the token', async () => {
    const { google, start, send, query, batchCreate } = await setup();
    const data = pattern(2 * GRANULARITY + 1000);
    const started = await start(data.length, 'big.jpg');
    assert.equal(started.status, 200);
    assert.equal(started.headers.get('x-goog-upload-chunk-granularity'), String(GRANULARITY));
    const uploadUrl = started.headers.get('x-goog-upload-url')!;
    assert.match(uploadUrl, /\/v1\/uploads\?upload_id=[\w-]+&upload_protocol=resumable$/);

    const unaligned = await send(uploadUrl, data.subarray(0, GRANULARITY + 1), 0);
    assert.equal(unaligned.status, 400, 'a non-final chunk must be a multiple of the granularity');
    const first = await send(uploadUrl, data.subarray(0, GRANULARITY), 0);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-goog-upload-status'), 'active');
    const wrongOffset = await send(uploadUrl, data.subarray(0, GRANULARITY), 0);
    assert.equal(wrongOffset.status, 400);
    assert.equal(wrongOffset.headers.get('x-goog-upload-size-received'), String(GRANULARITY));
    const earlyFinal = await send(uploadUrl, data.subarray(GRANULARITY, 2 * GRANULARITY), GRANULARITY, 'upload, finalize');
    assert.equal(earlyFinal.status, 400, 'finalize must end at X-Goog-Upload-Raw-Size');
    assert.equal((await send(uploadUrl, data.subarray(GRANULARITY, 2 * GRANULARITY), GRANULARITY)).status, 200);
    const asked = await query(uploadUrl);
    assert.equal(asked.headers.get('x-goog-upload-size-received'), String(2 * GRANULARITY));

    const last = await send(uploadUrl, data.subarray(2 * GRANULARITY), 2 * GRANULARITY, 'upload, finalize');
    assert.equal(last.status, 200);
    assert.equal(last.headers.get('x-goog-upload-status'), 'final');
    const uploadToken = await last.text();
    const [result] = await results(await batchCreate([{ uploadToken }]));
    assert.equal(result!.mediaItem!.filename, 'big.jpg', 'X-Goog-Upload-File-Name when batchCreate names none');
    assert.equal(google.photos.tree().items[0]!.md5, md5(data));
    assert.equal(google.stats.requests.photosUploadChunk, 6);
  });

  it('after a cut, query tells where to resume; whatever the server kept is what counts', async () => {
    const { google, token, session, send, query } = await setup();
    const data = pattern(4 * GRANULARITY);
    const uploadUrl = await session(data.length);
    await cutUpload(uploadUrl, token, 0, 2 * GRANULARITY, data.subarray(0, GRANULARITY / 2));
    const afterClientCut = await query(uploadUrl);
    assert.equal(afterClientCut.headers.get('x-goog-upload-status'), 'active');
    assert.equal(afterClientCut.headers.get('x-goog-upload-size-received'), '0', 'a cut-off chunk is not kept');

    google.faults.add({ op: 'photosUploadChunk', action: { partialCommit: GRANULARITY } });
    await assert.rejects(send(uploadUrl, data.subarray(0, 3 * GRANULARITY), 0));
    const afterServerCut = await query(uploadUrl);
    assert.equal(afterServerCut.headers.get('x-goog-upload-size-received'), String(GRANULARITY));
    const done = await send(uploadUrl, data.subarray(GRANULARITY), GRANULARITY, 'upload, finalize');
    assert.equal(done.status, 200);
    const replay = await query(uploadUrl);
    assert.equal(replay.headers.get('x-goog-upload-status'), 'final');
    assert.equal(await replay.text(), await done.text(), 'a final session answers its token again');
  });

  it('upload, finalize may restart at offset 0 with the whole file', async () => {
    const { google, session, send, batchCreate } = await setup();
    const data = pattern(2 * GRANULARITY);
    const uploadUrl = await session(data.length);
    await send(uploadUrl, pattern(GRANULARITY, 7), 0);
    const whole = await send(uploadUrl, data, 0, 'upload, finalize');
    assert.equal(whole.status, 200);
    await results(await batchCreate([{ uploadToken: await whole.text() }]));
    assert.equal(google.photos.tree().items[0]!.md5, md5(data));
  });

  it('an expired session answers cancelled; a new one must be started', async () => {
    let now = Date.parse('2026-03-10T12:00:00Z');
    const { google, session, send, query } = await setup({ now: () => now, photosUploadSessionTtlMs: 60_000 });
    const data = pattern(2 * GRANULARITY);
    const injected = await session(data.length);
    google.faults.add({ op: 'photosUploadChunk', action: 'expireSession' });
    const refused = await send(injected, data.subarray(0, GRANULARITY), 0);
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('x-goog-upload-status'), 'cancelled');
    assert.equal((await query(injected)).headers.get('x-goog-upload-status'), 'cancelled');

    const timed = await session(data.length);
    await send(timed, data.subarray(0, GRANULARITY), 0);
    now += 60_000;
    const late = await query(timed);
    assert.equal(late.headers.get('x-goog-upload-status'), 'cancelled');
    assert.equal(late.headers.get('x-goog-upload-size-received'), null);
  });
});

describe('Google Photos: scopes and tokens', () => {
  it('appendonly uploads and creates; readonly.appcreateddata reads; nothing else does', async () => {
    const { google, url } = await startGoogle();
    const as = async (scope: string) => client(url, (await login(url, { scope })).access_token);
    const append = await as(APPEND);
    const albumId = await append.createAlbum('A');
    assert.equal((await append.call('/v1/albums')).status, 403, 'listing needs readonly.appcreateddata');
    const denied = await rpcError(await append.search({ albumId }));
    assert.deepEqual([denied.code, denied.message, denied.status], [403, 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED']);
    const read = await as(READ);
    assert.equal((await read.call(`/v1/albums/${albumId}`)).status, 200);
    assert.equal((await read.call('/v1/albums', { json: { album: { title: 'B' } } })).status, 403);
    for (const scope of [DRIVE_FILE, 'https://www.googleapis.com/auth/photoslibrary', 'https://www.googleapis.com/auth/photoslibrary.readonly']) {
      const other = await as(scope);
      assert.equal((await other.call('/v1/albums', { json: { album: { title: 'C' } } })).status, 403, scope);
      assert.equal((await other.call('/v1/albums')).status, 403, scope);
    }
    const photosOnly = await login(url, { scope: APPEND });
    const drive = await fetch(`${url}/drive/v3/files`, { headers: { authorization: `Bearer ${photosOnly.access_token}` } });
    assert.equal(drive.status, 403, 'a Photos token is no Drive token');
    google.expireAllAccessTokens();
    const expired = await append.call('/v1/albums', { json: { album: { title: 'D' } } });
    assert.equal(expired.status, 401);
    assert.equal((await rpcError(expired)).status, 'UNAUTHENTICATED');
  });
});

describe('Google Photos: quotas', () => {
  it('spends the daily budget on every request (uploads too) and refuses the rest until midnight Pacific', async () => {
    // 07:59:00Z in January is 23:59 PST.
    let now = Date.parse('2026-01-15T07:59:00Z');
    const { google, url, rawUpload, batchCreate, call } = await setup({ now: () => now, photosRequestsPerDay: 3 });
    const uploadToken = await rawUpload(pattern(10), 'a.jpg');
    await results(await batchCreate([{ uploadToken }]));
    assert.equal((await call('/v1/albums')).status, 200);
    assert.deepEqual(google.photos.dailyQuota(), { day: '2026-01-14', used: 3, limit: 3 });
    const refused = await call('/v1/albums');
    assert.equal(refused.status, 429);
    const error = await rpcError(refused);
    assert.equal(error.status, 'RESOURCE_EXHAUSTED');
    assert.match(error.message, /'All requests per day'/);
    assert.equal((await fetch(`${url}/v1/albums`)).status, 401, 'without a token: 401, not 429');
    now = Date.parse('2026-01-15T08:00:01Z');
    assert.equal((await call('/v1/albums')).status, 200);
    assert.deepEqual(google.photos.dailyQuota(), { day: '2026-01-15', used: 1, limit: 3 });
  });

  it('a short quota day can be configured', async () => {
    let now = 0;
    const { call } = await setup({ now: () => now, photosRequestsPerDay: 1, photosQuotaDay: (ms) => String(Math.floor(ms / 60_000)) });
    assert.equal((await call('/v1/albums')).status, 200);
    assert.equal((await call('/v1/albums')).status, 429);
    now = 60_000;
    assert.equal((await call('/v1/albums')).status, 200);
  });

  it('limits writes per user per minute; reads and other users are not affected', async () => {
    let now = Date.parse('2026-03-10T12:00:00Z');
    const { url, rawUpload, createAlbum, call } = await setup({ now: () => now, photosWritesPerMinutePerUser: 2 });
    await rawUpload(pattern(10), 'a.jpg');
    await createAlbum('A');
    const third = await call('/v1/albums', { json: { album: { title: 'B' } } });
    assert.equal(third.status, 429);
    assert.match((await rpcError(third)).message, /WritesPerMinutePerUser/);
    assert.equal((await call('/v1/albums')).status, 200);
    const other = client(url, (await login(url, { scope: APPEND, user: 'other@example.com' })).access_token);
    await other.createAlbum('Theirs');
    now += 60_000;
    await createAlbum('B');
  });

  it('refuses a second batchCreate for the same user while one is in flight', async () => {
    const { google, url, token, rawUpload, batchCreate } = await setup();
    const [a, b] = [await rawUpload(pattern(10), 'a.jpg'), await rawUpload(pattern(10, 1), 'b.jpg')];
    const body = Buffer.from(JSON.stringify({ newMediaItems: [{ simpleMediaItem: { uploadToken: a } }] }));
    const slow = request(`${url}/v1/mediaItems:batchCreate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    const answered = new Promise<number>((resolve, reject) => slow.on('response', (res) => resolve(res.statusCode!)).on('error', reject));
    slow.write(body.subarray(0, 5));
    await waitFor('the first batchCreate to be admitted', () => google.photos.dailyQuota().used === 3, 5_000, 5);
    const second = await batchCreate([{ uploadToken: b }]);
    assert.equal(second.status, 429);
    assert.match((await rpcError(second)).message, /concurrent write request/);
    slow.end(body.subarray(5));
    assert.equal(await answered, 200);
    assert.equal((await batchCreate([{ uploadToken: b }])).status, 200);
  });
});

describe('Google Photos: lost answers and injected faults', () => {
  it('batchCreate committed, answer lost: the retry is refused, the album shows what was made', async () => {
    const { google, rawUpload, createAlbum, batchCreate, search } = await setup();
    const albumId = await createAlbum('Gallery');
    const uploadToken = await rawUpload(pattern(100), 'a.jpg');
    google.faults.add({ op: 'photosBatchCreate', action: 'commitThenReset' });
    await assert.rejects(batchCreate([{ uploadToken, fileName: 'photo-1.jpg' }], albumId));
    assert.equal((await batchCreate([{ uploadToken, fileName: 'photo-1.jpg' }], albumId)).status, 400, 'the token was used');
    const found = (await (await search({ albumId })).json()) as { mediaItems: Array<{ filename: string }> };
    assert.deepEqual(found.mediaItems.map((m) => m.filename), ['photo-1.jpg']);

    const second = await rawUpload(pattern(100, 2), 'b.jpg');
    google.faults.add({ op: 'photosBatchCreate', action: { commitThen: { status: 503 } } });
    const lost = await batchCreate([{ uploadToken: second, fileName: 'photo-2.jpg' }], albumId);
    assert.equal(lost.status, 503);
    assert.equal((await rpcError(lost)).status, 'UNAVAILABLE');
    assert.deepEqual(google.photos.tree().albums[0]!.items.map((i) => i.filename), ['photo-1.jpg', 'photo-2.jpg']);
  });

  it('injected 5xx and 429 answer in the Library API error shape, without doing the work', async () => {
    const { google, call } = await setup();
    google.faults.add({ op: 'photosAlbumCreate', action: { status: 500 } });
    google.faults.add({ op: 'photosAlbumCreate', action: { status: 429 } });
    const failed = await call('/v1/albums', { json: { album: { title: 'A' } } });
    assert.deepEqual(await rpcError(failed), { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' });
    const limited = await call('/v1/albums', { json: { album: { title: 'A' } } });
    assert.equal((await rpcError(limited)).status, 'RESOURCE_EXHAUSTED');
    assert.equal(google.photos.tree().albums.length, 0);
  });
});

describe('Google Photos: albums and search', () => {
  it('titles up to 500 characters; search pages of at most 100, tokens bound to their album', async () => {
    const { rawUpload, createAlbum, batchCreate, search, call } = await setup();
    const long = await call('/v1/albums', { json: { album: { title: 'x'.repeat(501) } } });
    assert.equal(long.status, 400);
    const albumId = await createAlbum('x'.repeat(500));
    const other = await createAlbum('Other');
    const tokens = [await rawUpload(pattern(10), 'a.jpg'), await rawUpload(pattern(10, 1), 'b.jpg'), await rawUpload(pattern(10, 2), 'c.jpg')];
    await results(await batchCreate(tokens.map((uploadToken, i) => ({ uploadToken, fileName: `${i}.jpg` })), albumId));
    assert.equal((await search({ albumId, pageSize: 101 })).status, 400);
    const first = (await (await search({ albumId, pageSize: 2 })).json()) as { mediaItems: Array<{ filename: string }>; nextPageToken: string };
    assert.deepEqual(first.mediaItems.map((m) => m.filename), ['0.jpg', '1.jpg']);
    assert.equal((await search({ albumId: other, pageToken: first.nextPageToken })).status, 400);
    const second = (await (await search({ albumId, pageToken: first.nextPageToken, pageSize: 2 })).json()) as { mediaItems: Array<{ filename: string }>; nextPageToken?: string };
    assert.deepEqual(second.mediaItems.map((m) => m.filename), ['2.jpg']);
    assert.equal(second.nextPageToken, undefined);
    const album = (await (await call(`/v1/albums/${albumId}`)).json()) as { mediaItemsCount: string };
    assert.equal(album.mediaItemsCount, '3');
  });

  it('an album the user deleted in the app is gone for the API; its items stay in the library', async () => {
    const { google, rawUpload, createAlbum, batchCreate, search, call } = await setup();
    const albumId = await createAlbum('Deleted');
    const kept = await createAlbum('Kept');
    await results(await batchCreate([{ uploadToken: await rawUpload(pattern(10), 'a.jpg'), fileName: 'a.jpg' }], albumId));
    google.photos.userDeletesAlbum(albumId);
    const listed = (await (await call('/v1/albums')).json()) as { albums: Array<{ id: string }> };
    assert.deepEqual(listed.albums.map((a) => a.id), [kept]);
    assert.equal((await call(`/v1/albums/${albumId}`)).status, 404);
    assert.equal((await search({ albumId })).status, 404);
    assert.deepEqual(google.photos.tree().items.map((i) => i.filename), ['a.jpg']);
  });
});
