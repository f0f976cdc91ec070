import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { OAuth2Client } from 'google-auth-library';
import { driveClient } from '../../src/providers/google-drive/drive-client';
import { CLIENT_ID, CLIENT_SECRET, FOLDER, REDIRECT_URI, drive, errorReason, login, startGoogle, type DriveErrorBody } from './support';

type FileJson = { id: string; name: string; kind?: string; mimeType?: string; size?: string; md5Checksum?: string; appProperties?: Record<string, string>; trashed?: boolean };

async function setup(extra: Parameters<typeof startGoogle>[0] = {}) {
  const { google, url } = await startGoogle(extra);
  const { access_token: token } = await login(url);
  const call = (path: string, init: Parameters<typeof drive>[3] = {}) => drive(url, token, path, init);
  const create = async (meta: Record<string, unknown>): Promise<FileJson> => {
    const res = await call('/drive/v3/files?fields=id,name,mimeType,appProperties', { method: 'POST', json: meta });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as FileJson;
  };
  return { google, url, token, call, create };
}

describe('Drive v3 emulator', () => {
  it('answers 401 with Google’s body for missing, unknown and expired tokens', async () => {
    const { google, url, call } = await setup();
    const missing = await fetch(`${url}/drive/v3/files`);
    assert.equal(missing.status, 401);
    const body = (await missing.json()) as DriveErrorBody;
    assert.deepEqual(body.error.errors, [
      { message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' },
    ]);
    assert.equal(body.error.status, 'UNAUTHENTICATED');
    assert.equal((await drive(url, 'ya29.made-up', '/drive/v3/files')).status, 401);

    assert.equal((await call('/drive/v3/files')).status, 200);
    google.expireAllAccessTokens();
    assert.equal((await call('/drive/v3/files')).status, 401);
    assert.equal(google.stats.unauthorized, 3);
  });

  it('hands out single-use ids: reuse is 409, never-issued is 400, a deleted file’s id stays taken', async () => {
    const { call, create } = await setup();
    const generated = (await (await call('/drive/v3/files/generateIds?count=3&space=drive&type=files')).json()) as { kind: string; space: string; ids: string[] };
    assert.equal(generated.kind, 'drive#generatedIds');
    assert.equal(generated.space, 'drive');
    assert.equal(generated.ids.length, 3);
    for (const id of generated.ids) assert.match(id, /^[A-Za-z0-9_-]{33}$/);
    assert.equal((await call('/drive/v3/files/generateIds?count=1001')).status, 400);
    assert.equal((await call('/drive/v3/files/generateIds?count=0')).status, 400);

    const [first, second] = generated.ids as [string, string];
    assert.equal((await create({ id: first, name: 'a.jpg' })).id, first);
    const again = await call('/drive/v3/files', { method: 'POST', json: { id: first, name: 'a.jpg' } });
    assert.equal(again.status, 409);
    assert.deepEqual(((await again.json()) as DriveErrorBody).error.errors[0]!.message, 'A file already exists with the provided ID.');

    const stranger = await call('/drive/v3/files', { method: 'POST', json: { id: `1${'x'.repeat(32)}`, name: 'b.jpg' } });
    assert.equal(stranger.status, 400);
    assert.equal(await errorReason(stranger), 'fileIdNotUsable');

    await create({ id: second, name: 'c.jpg' });
    assert.equal((await call(`/drive/v3/files/${second}`, { method: 'DELETE' })).status, 204);
    const reuse = await call('/drive/v3/files', { method: 'POST', json: { id: second, name: 'c.jpg' } });
    assert.equal(reuse.status, 409);
    assert.equal(await errorReason(reuse), 'fileIdInUse');
  });

  it('validates parents, names, properties and body fields', async () => {
    const { call, create } = await setup();
    const file = await create({ name: 'plain.txt' });
    const folder = await create({ name: 'F', mimeType: FOLDER });
    const post = (json: unknown) => call('/drive/v3/files', { method: 'POST', json });

    const missingParent = await post({ name: 'x', parents: ['nope'] });
    assert.equal(missingParent.status, 404);
    assert.equal(((await missingParent.json()) as DriveErrorBody).error.message, 'File not found: nope.');
    assert.equal((await post({ name: 'x', parents: [file.id] })).status, 404);
    assert.equal((await post({ name: 'x', parents: [folder.id, 'root'] })).status, 400);
    assert.equal((await post({ name: '' })).status, 400);
    assert.equal((await post({ name: 'x'.repeat(32768) })).status, 400);
    const props = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    assert.equal((await post({ name: 'x', appProperties: props })).status, 400);
    assert.equal((await post({ name: 'x', appProperties: { k: 'v'.repeat(124) } })).status, 400);
    assert.equal((await post({ name: 'x', appProperties: { k: 'v'.repeat(123) } })).status, 200);
    assert.equal((await post({ name: 'x', appPropertys: {} })).status, 400);
    const outputOnly = await post({ name: 'x', md5Checksum: 'abc' });
    assert.equal(outputOnly.status, 403);
    assert.equal(await errorReason(outputOnly), 'fieldNotWritable');
    assert.equal((await call('/drive/v3/files', { method: 'POST', body: 'name=x', headers: { 'content-type': 'text/plain' } })).status, 400);

    await call(`/drive/v3/files/${folder.id}`, { method: 'PATCH', json: { trashed: true } });
    assert.equal((await post({ name: 'x', parents: [folder.id] })).status, 404);
  });

  it('answers only kind,id,name,mimeType unless fields asks for more, and rejects unknown fields', async () => {
    const { call, create } = await setup();
    const { id } = await create({ name: 'a.txt', mimeType: 'text/plain' });
    assert.deepEqual(Object.keys((await (await call(`/drive/v3/files/${id}`)).json()) as object).sort(), ['id', 'kind', 'mimeType', 'name']);
    const full = (await (await call(`/drive/v3/files/${id}?fields=id,size,md5Checksum,parents`)).json()) as FileJson & { parents: string[] };
    assert.deepEqual(Object.keys(full).sort(), ['id', 'md5Checksum', 'parents', 'size']);
    assert.equal(full.size, '0');
    const bad = await call(`/drive/v3/files/${id}?fields=id,md5`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as DriveErrorBody).error.errors[0]!.location, 'fields');
    assert.equal((await call('/drive/v3/files/root?fields=id')).status, 200);
  });

  it('lists with q, strict pages and next-page tokens tied to their query; duplicate names are kept', async () => {
    const { call, create } = await setup();
    const folder = await create({ name: 'Album', mimeType: FOLDER });
    for (const name of ['b.jpg', 'a.jpg', 'a.jpg', 'c.png', "It's.jpg"]) await create({ name, parents: [folder.id], appProperties: { galleryId: '7' } });
    await create({ name: 'elsewhere.jpg' });

    const q = `'${folder.id}' in parents and trashed = false and mimeType != '${FOLDER}'`;
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const params = new URLSearchParams({ q, pageSize: '2', orderBy: 'name', fields: 'nextPageToken,files(id,name)' });
      if (pageToken) params.set('pageToken', pageToken);
      const page = (await (await call(`/drive/v3/files?${params}`)).json()) as { files: FileJson[]; nextPageToken?: string };
      assert.ok(page.files.length <= 2);
      names.push(...page.files.map((f) => f.name));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['It\'s.jpg', 'a.jpg', 'a.jpg', 'b.jpg', 'c.png']);

    const escaped = (await (await call(`/drive/v3/files?q=${encodeURIComponent("name = 'It\\'s.jpg'")}`)).json()) as { files: FileJson[] };
    assert.equal(escaped.files.length, 1);
    const byProp = (await (await call(`/drive/v3/files?q=${encodeURIComponent("appProperties has { key='galleryId' and value='7' }")}`)).json()) as { files: FileJson[] };
    assert.equal(byProp.files.length, 5);

    const first = (await (await call(`/drive/v3/files?pageSize=1&q=${encodeURIComponent(q)}&fields=nextPageToken`)).json()) as { nextPageToken: string };
    assert.equal((await call(`/drive/v3/files?pageSize=1&pageToken=${first.nextPageToken}`)).status, 400);
    const invalid = await call(`/drive/v3/files?q=${encodeURIComponent('name = foo')}`);
    assert.equal(invalid.status, 400);
    assert.deepEqual(((await invalid.json()) as DriveErrorBody).error.errors[0], {
      message: 'Invalid Value', domain: 'global', reason: 'invalid', location: 'q', locationType: 'parameter',
    });
    assert.equal((await call('/drive/v3/files?pageSize=1001')).status, 400);
  });

  it('patches, trashes (children follow) and deletes recursively', async () => {
    const { google, call, create } = await setup();
    const folder = await create({ name: 'Album', mimeType: FOLDER });
    const child = await create({ name: 'a.jpg', parents: [folder.id], appProperties: { keep: '1', drop: '2' } });

    const patched = await call(`/drive/v3/files/${child.id}?fields=name,appProperties`, { method: 'PATCH', json: { name: 'b.jpg', appProperties: { drop: null, add: '3' } } });
    assert.deepEqual(await patched.json(), { name: 'b.jpg', appProperties: { keep: '1', add: '3' } });
    assert.equal((await call(`/drive/v3/files/${child.id}`, { method: 'PATCH', json: { parents: ['root'] } })).status, 403);
    assert.deepEqual(google.tree().map((n) => n.path).sort(), ['Album', 'Album/b.jpg']);

    await call(`/drive/v3/files/${folder.id}`, { method: 'PATCH', json: { trashed: true } });
    assert.deepEqual(google.tree(), []);
    const trashedChild = (await (await call(`/drive/v3/files/${child.id}?fields=trashed`)).json()) as FileJson;
    assert.equal(trashedChild.trashed, true);

    assert.equal((await call(`/drive/v3/files/${folder.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await call(`/drive/v3/files/${child.id}`)).status, 404);
  });

  it('uploads through the real Drive client, @googleapis/drive (multipart and media)', async () => {
    const { google, url } = await startGoogle();
    const auth = new OAuth2Client({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
    auth.setCredentials(await login(url));
    const client = driveClient(auth);
    const rootUrl = `${url}/`;
    const bytes = Buffer.from('a'.repeat(100_000) + 'tail');

    const { data: ids } = await client.files.generateIds({ count: 1, space: 'drive' }, { rootUrl });
    const created = await client.files.create(
      {
        requestBody: { id: ids.ids![0], name: 'photo.jpg', appProperties: { photoId: '42' } },
        media: { mimeType: 'image/jpeg', body: Readable.from([bytes]) },
        fields: 'id,name,mimeType,size,md5Checksum,sha256Checksum,appProperties',
      },
      { rootUrl },
    );
    assert.equal(created.status, 200);
    assert.deepEqual(created.data, {
      id: ids.ids![0],
      name: 'photo.jpg',
      mimeType: 'image/jpeg',
      size: String(bytes.length),
      md5Checksum: createHash('md5').update(bytes).digest('hex'),
      sha256Checksum: createHash('sha256').update(bytes).digest('hex'),
      appProperties: { photoId: '42' },
    });
    assert.deepEqual(google.fileContent(ids.ids![0]!), bytes);
    assert.equal(google.stats.requests.multipart, 1);

    const media = await client.files.create({ media: { mimeType: 'text/plain', body: 'hello' }, fields: 'name,size' }, { rootUrl });
    assert.deepEqual(media.data, { name: 'Untitled', size: '5' });
  });

  it('refuses simple uploads above multipartMaxBytes with 413', async () => {
    const { call } = await setup({ multipartMaxBytes: 1000 });
    const res = await call('/upload/drive/v3/files?uploadType=media', { method: 'POST', body: Buffer.alloc(1001), headers: { 'content-type': 'image/jpeg' } });
    assert.equal(res.status, 413);
    assert.equal((await call('/upload/drive/v3/files?uploadType=media', { method: 'POST', body: Buffer.alloc(1000), headers: { 'content-type': 'image/jpeg' } })).status, 200);
  });

  it('rate-limits writes per user with 403 and 429 alternately, counting them; reads pass', async () => {
    let now = 1_000_000;
    const { google, call, create } = await setup({ writesPerSecond: 2, writeBurst: 1, retryAfterSeconds: 3, now: () => now });
    await create({ name: 'one' });
    const first = await call('/drive/v3/files', { method: 'POST', json: { name: 'two' } });
    assert.equal(first.status, 403);
    assert.equal(first.headers.get('retry-after'), '3');
    assert.deepEqual(((await first.json()) as DriveErrorBody).error.errors[0], { message: 'User rate limit exceeded.', domain: 'usageLimits', reason: 'userRateLimitExceeded' });
    const second = await call('/drive/v3/files', { method: 'POST', json: { name: 'two' } });
    assert.equal(second.status, 429);
    assert.equal(await errorReason(second), 'rateLimitExceeded');
    assert.equal((await call('/drive/v3/files')).status, 200);
    now += 500;
    await create({ name: 'two' });
    assert.equal(google.stats.rateLimited, 2);
    assert.deepEqual(google.stats.rateLimitedByOp, { createMetadata: 2 });
    assert.equal(google.stats.writes, 2);
    assert.deepEqual(google.tree().map((n) => n.name), ['one', 'two']);
  });

  it('rate-limits reads on request (rateLimit fault) with the documented 403/429 bodies, counted per op; OAuth never', async () => {
    const { google, url, call } = await setup({ retryAfterSeconds: 2 });
    google.faults.add({ op: '*', times: 2, action: { rateLimit: '403 rateLimitExceeded' } });
    const refused = await call('/drive/v3/files/generateIds?count=2');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('retry-after'), '2');
    assert.deepEqual(await refused.json(), {
      error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' }], status: 'PERMISSION_DENIED' },
    });
    // The OAuth endpoints are not Drive: a login passes and leaves the rule's second hit for the next Drive call.
    await login(url);
    assert.equal((await call('/drive/v3/files')).status, 403);
    google.faults.add({ op: 'generateIds', action: { rateLimit: '429 rateLimitExceeded', retryAfter: 5 } });
    const tooMany = await call('/drive/v3/files/generateIds?count=2');
    assert.equal(tooMany.status, 429);
    assert.equal(tooMany.headers.get('retry-after'), '5');
    assert.deepEqual(((await tooMany.json()) as DriveErrorBody).error.errors[0], { message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' });
    assert.equal((await call('/drive/v3/files/generateIds?count=2')).status, 200);
    assert.deepEqual(google.stats.rateLimitedByOp, { generateIds: 2, list: 1 });
    assert.equal(google.stats.rateLimited, 3);
    assert.equal(google.stats.writes, 0, 'reads are not writes');
  });

  it('enforces the storage quota', async () => {
    const { call } = await setup({ storageQuotaBytes: 10 });
    const upload = (size: number) => call('/upload/drive/v3/files?uploadType=media', { method: 'POST', body: Buffer.alloc(size), headers: { 'content-type': 'text/plain' } });
    assert.equal((await upload(6)).status, 200);
    const over = await upload(5);
    assert.equal(over.status, 403);
    assert.equal(await errorReason(over), 'storageQuotaExceeded');
  });

  it('the daily upload limit: past it new uploads get 403 userRateLimitExceeded (as throttling), folders still work, a new day resets it', async () => {
    let day = 1;
    const { google, call, create } = await setup({ driveUploadBytesPerDay: 10, driveQuotaDay: () => String(day) });
    const upload = (size: number) => call('/upload/drive/v3/files?uploadType=media', { method: 'POST', body: Buffer.alloc(size), headers: { 'content-type': 'text/plain' } });
    assert.equal((await upload(6)).status, 200);
    // The upload that crosses the limit completes ("uploads that are in progress will complete"); the next is refused.
    assert.equal((await upload(6)).status, 200);
    const over = await upload(1);
    assert.equal(over.status, 403);
    assert.deepEqual(((await over.json()) as DriveErrorBody).error.errors[0], { message: 'User rate limit exceeded.', domain: 'usageLimits', reason: 'userRateLimitExceeded' });
    const resumable = await call('/upload/drive/v3/files?uploadType=resumable', { method: 'POST', json: { name: 'big' }, headers: { 'x-upload-content-length': '3' } });
    assert.equal(resumable.status, 403);
    assert.equal((await create({ name: 'album', mimeType: FOLDER })).name, 'album', 'a folder is no upload');
    assert.deepEqual(google.dailyUploads(), { day: '1', bytes: 12, limit: 10 });
    day = 2;
    assert.equal((await upload(6)).status, 200);
    assert.deepEqual(google.dailyUploads(), { day: '2', bytes: 6, limit: 10 });
  });

  it('about.get: fields required, int64s as strings, no limit when unlimited, usage follows uploads', async () => {
    const { google, call } = await setup({ storageQuotaBytes: 100 });
    const missing = await call('/drive/v3/about');
    assert.equal(missing.status, 400);
    assert.equal(await errorReason(missing), 'required');
    const quota = async () => ((await (await call('/drive/v3/about?fields=storageQuota')).json()) as { storageQuota: Record<string, string> }).storageQuota;
    assert.deepEqual(await quota(), { limit: '100', usage: '0', usageInDrive: '0', usageInDriveTrash: '0' });
    await call('/upload/drive/v3/files?uploadType=media', { method: 'POST', body: Buffer.alloc(30), headers: { 'content-type': 'text/plain' } });
    assert.equal((await quota()).usage, '30');
    google.setOptions({ storageQuotaBytes: undefined });
    assert.equal((await quota()).limit, undefined);
    const about = (await (await call('/drive/v3/about?fields=user(permissionId,me)')).json()) as { user: { permissionId: string; me: boolean } };
    assert.match(about.user.permissionId, /^\d+$/);
    assert.equal((await call('/drive/v3/about?fields=nonsense')).status, 400);
  });

  it('injects faults: errors without the write, lost answers after the write', async () => {
    const { google, call, create } = await setup();
    google.faults.add({ op: 'createMetadata', action: { status: 503 } });
    assert.equal((await call('/drive/v3/files', { method: 'POST', json: { name: 'a' } })).status, 503);
    assert.deepEqual(google.tree(), []);

    google.faults.add({ op: 'createMetadata', when: (ctx) => ctx.fileName === 'b', action: 'commitThenReset' });
    await create({ name: 'a' });
    await assert.rejects(call('/drive/v3/files', { method: 'POST', json: { name: 'b' } }));
    google.faults.add({ op: 'createMetadata', action: 'commitThen500' });
    assert.equal((await call('/drive/v3/files', { method: 'POST', json: { name: 'c' } })).status, 500);
    assert.deepEqual(google.tree().map((n) => n.name), ['a', 'b', 'c']);

    google.faults.add({ op: 'list', times: 2, action: 'reset' });
    await assert.rejects(call('/drive/v3/files'));
    await assert.rejects(call('/drive/v3/files'));
    assert.equal((await call('/drive/v3/files')).status, 200);
    assert.equal(google.faults.fired.length, 5);
  });

  it('applies seeded chaos reproducibly', async () => {
    const statuses = async (): Promise<number[]> => {
      const { google, call } = await setup();
      google.faults.chaos({ seed: 7, probability: 0.5, actions: [{ status: 500 }, { status: 503 }], ops: ['list'] });
      const result: number[] = [];
      for (let i = 0; i < 12; i += 1) result.push((await call('/drive/v3/files')).status);
      return result;
    };
    const first = await statuses();
    assert.deepEqual(await statuses(), first);
    assert.ok(first.includes(200) && first.some((s) => s >= 500), String(first));
  });

  it('adds latency to Drive answers and serves the tree over HTTP', async () => {
    const { google, url, call, create } = await setup();
    await create({ name: 'x' });
    google.setOptions({ latencyMs: 80 });
    const started = performance.now();
    await call('/drive/v3/files');
    assert.ok(performance.now() - started >= 75);
    const tree = (await (await fetch(`${url}/__emulator/tree?user=user@example.com`)).json()) as Array<{ name: string; path: string }>;
    assert.deepEqual(tree.map((n) => n.path), ['x']);
  });
});
