import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expectedFile, fileBytes } from '../../src/emulators/gallery';
import { drive, errorReason, login, startGoogle } from './support';

const KiB = 1024;
const MiB = 1024 * KiB;
const CHUNK = 256 * KiB;
const FIELDS = 'id,name,size,md5Checksum,sha256Checksum';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** node:http, because fetch can neither set Host nor stream a body with an exact Content-Length. */
function raw(url: string, method: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

const pattern = (size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) % 251));

async function setup(extra: Parameters<typeof startGoogle>[0] = {}) {
  const { google, url } = await startGoogle(extra);
  let token = (await login(url)).access_token;
  const auth = () => ({ authorization: `Bearer ${token}` });
  async function init(meta: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
    const res = await drive(url, token, `/upload/drive/v3/files?uploadType=resumable&fields=${FIELDS}`, { method: 'POST', json: meta, headers });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await res.text(), '');
    return res.headers.get('location')!;
  }
  const put = (session: string, body: Buffer, contentRange?: string, headers: Record<string, string> = {}) =>
    raw(session, 'PUT', { ...auth(), 'content-length': String(body.length), ...(contentRange ? { 'content-range': contentRange } : {}), ...headers }, body);
  const status = (session: string, total = '*') => raw(session, 'PUT', { ...auth(), 'content-range': `bytes */${total}`, 'content-length': '0' });
  return {
    google,
    url,
    auth,
    init,
    put,
    status,
    relogin: async () => {
      token = (await login(url)).access_token;
    },
  };
}

describe('resumable uploads', () => {
  it('uploads in three chunks, answering 308 + Range, then 201 with the checksums', async () => {
    const { google, init, put } = await setup();
    const data = pattern(2 * CHUNK + 1000);
    const session = await init({ name: 'three.bin' }, { 'x-upload-content-length': String(data.length), 'x-upload-content-type': 'image/jpeg' });
    assert.match(session, /\/upload\/drive\/v3\/files\?uploadType=resumable&upload_id=[A-Za-z0-9_-]+$/);

    const first = await put(session, data.subarray(0, CHUNK), `bytes 0-${CHUNK - 1}/${data.length}`);
    assert.equal(first.status, 308);
    assert.equal(first.headers.range, `bytes=0-${CHUNK - 1}`);
    assert.equal(first.text, '');
    const second = await put(session, data.subarray(CHUNK, 2 * CHUNK), `bytes ${CHUNK}-${2 * CHUNK - 1}/${data.length}`);
    assert.equal(second.headers.range, `bytes=0-${2 * CHUNK - 1}`);
    const last = await put(session, data.subarray(2 * CHUNK), `bytes ${2 * CHUNK}-${data.length - 1}/${data.length}`);
    assert.equal(last.status, 201);
    const file = JSON.parse(last.text) as Record<string, string>;
    assert.deepEqual(Object.keys(file).sort(), FIELDS.split(',').sort());
    assert.equal(file.size, String(data.length));
    assert.equal(file.md5Checksum, createHash('md5').update(data).digest('hex'));
    assert.equal(file.sha256Checksum, createHash('sha256').update(data).digest('hex'));
    assert.equal(google.tree()[0]!.mimeType, 'image/jpeg');
    assert.equal(google.stats.requests.chunk, 3);
    assert.equal(google.stats.writes, 1, 'only the init is a write');
  });

  it('builds the session URI from the Host header', async () => {
    const { url } = await startGoogle();
    const { access_token } = await login(url);
    const res = await raw(`${url}/upload/drive/v3/files?uploadType=resumable`, 'POST', {
      host: 'drive.example.test:8443',
      authorization: `Bearer ${access_token}`,
      'content-type': 'application/json',
    }, Buffer.from(JSON.stringify({ name: 'x' })));
    assert.equal(res.status, 200);
    assert.match(res.headers.location!, /^http:\/\/drive\.example\.test:8443\/upload\/drive\/v3\/files\?uploadType=resumable&upload_id=/);
  });

  it('reports what it has: no Range before any byte, the shorter Range after a partial commit', async () => {
    const { google, init, put, status } = await setup();
    const data = pattern(4 * CHUNK);
    const session = await init({ name: 'partial.bin' }, { 'x-upload-content-length': String(data.length) });
    const empty = await status(session, String(data.length));
    assert.equal(empty.status, 308);
    assert.equal(empty.headers.range, undefined);

    await put(session, data.subarray(0, CHUNK), `bytes 0-${CHUNK - 1}/${data.length}`);
    google.faults.add({ op: 'chunk', action: { partialCommit: CHUNK } });
    const cut = await put(session, data.subarray(CHUNK, 3 * CHUNK), `bytes ${CHUNK}-${3 * CHUNK - 1}/${data.length}`);
    assert.equal(cut.status, 308);
    assert.equal(cut.headers.range, `bytes=0-${2 * CHUNK - 1}`);
    const asked = await status(session, '*');
    assert.equal(asked.headers.range, `bytes=0-${2 * CHUNK - 1}`);

    const done = await put(session, data.subarray(2 * CHUNK), `bytes ${2 * CHUNK}-${data.length - 1}/${data.length}`);
    assert.equal(done.status, 201);
    assert.equal(JSON.parse(done.text).md5Checksum, createHash('md5').update(data).digest('hex'));
    // 1 MiB file, one 256 KiB piece sent twice.
    assert.equal(google.uploadBytesReceivedFor('partial.bin'), data.length + CHUNK);
  });

  it('rejects misaligned, misplaced, mis-sized and inconsistent chunks without committing them', async () => {
    const { init, put, status } = await setup();
    const total = 3 * CHUNK;
    const session = await init({ name: 'strict.bin' }, { 'x-upload-content-length': String(total) });
    const misaligned = await put(session, pattern(100_000), `bytes 0-99999/${total}`);
    assert.equal(misaligned.status, 400);
    assert.match(misaligned.text, /multiple of 262144/);
    assert.equal((await put(session, pattern(CHUNK), `bytes ${CHUNK}-${2 * CHUNK - 1}/${total}`)).status, 400, 'wrong offset');
    assert.equal((await put(session, pattern(CHUNK), `bytes 0-${CHUNK}/${total}`)).status, 400, 'Content-Length ≠ range');
    assert.equal((await put(session, pattern(CHUNK), `bytes 0-${CHUNK - 1}/${total + 1}`)).status, 400, 'total ≠ X-Upload-Content-Length');
    assert.equal((await put(session, pattern(CHUNK), `bytes 0-${CHUNK - 1}/*`)).status, 400, 'total known, * not allowed');
    assert.equal((await put(session, pattern(CHUNK), 'bytes 0-x/3')).status, 400, 'syntax');
    assert.equal((await status(session)).headers.range, undefined, 'nothing was committed');
  });

  it('does not commit a chunk whose body was cut off', async () => {
    const { auth, google, init, put, status } = await setup();
    const session = await init({ name: 'cut.bin' });
    await put(session, pattern(CHUNK), `bytes 0-${CHUNK - 1}/*`);
    const headers = { ...auth(), 'content-length': String(CHUNK), 'content-range': `bytes ${CHUNK}-${2 * CHUNK - 1}/*` };
    await new Promise<void>((resolve) => {
      const req = request(session, { method: 'PUT', headers });
      req.on('error', () => resolve());
      req.write(pattern(CHUNK / 2), () => req.destroy());
    });
    assert.equal((await status(session)).headers.range, `bytes=0-${CHUNK - 1}`);
    assert.equal(google.tree().length, 0);
  });

  it('finishes uploads of unknown size when the last chunk names the total (chunks by PUT or POST)', async () => {
    const { auth, init, put } = await setup();
    const data = pattern(CHUNK + 10);
    const session = await init({ name: 'unknown.bin' });
    const headers = { ...auth(), 'content-length': String(CHUNK), 'content-range': `bytes 0-${CHUNK - 1}/*` };
    assert.equal((await raw(session, 'POST', headers, data.subarray(0, CHUNK))).status, 308);
    const done = await put(session, data.subarray(CHUNK), `bytes ${CHUNK}-${data.length - 1}/${data.length}`);
    assert.equal(done.status, 201);
    assert.equal(JSON.parse(done.text).size, String(data.length));
  });

  it('accepts the whole file in one PUT without Content-Range, and empty files via bytes */0', async () => {
    const { init, put, status } = await setup();
    const data = pattern(5000);
    const whole = await put(await init({ name: 'whole.bin' }), data);
    assert.equal(whole.status, 201);
    assert.equal(JSON.parse(whole.text).md5Checksum, createHash('md5').update(data).digest('hex'));
    const empty = await status(await init({ name: 'empty.bin' }, { 'x-upload-content-length': '0' }), '0');
    assert.equal(empty.status, 201);
    assert.equal(JSON.parse(empty.text).size, '0');
  });

  it('needs a valid token on every chunk, so the client must refresh mid-upload', async () => {
    const { google, init, put, relogin } = await setup();
    const data = pattern(2 * CHUNK);
    const session = await init({ name: 'auth.bin' }, { 'x-upload-content-length': String(data.length) });
    await put(session, data.subarray(0, CHUNK), `bytes 0-${CHUNK - 1}/${data.length}`);
    const anonymous = await raw(session, 'PUT', { 'content-length': String(CHUNK), 'content-range': `bytes ${CHUNK}-${2 * CHUNK - 1}/${data.length}` }, data.subarray(CHUNK));
    assert.equal(anonymous.status, 401);
    google.expireAllAccessTokens();
    assert.equal((await put(session, data.subarray(CHUNK), `bytes ${CHUNK}-${2 * CHUNK - 1}/${data.length}`)).status, 401);
    await relogin();
    assert.equal((await put(session, data.subarray(CHUNK), `bytes ${CHUNK}-${2 * CHUNK - 1}/${data.length}`)).status, 201);
  });

  it('answers 404 for unknown and expired sessions', async () => {
    let now = Date.now();
    const { google, init, put, status } = await setup({ now: () => now, sessionTtlMs: 60_000 });
    const session = await init({ name: 'old.bin' });
    assert.equal((await status(session.replace(/upload_id=[^&]+/, 'upload_id=nope'))).status, 404);
    now += 60_000;
    assert.equal((await status(session)).status, 404);

    const other = await init({ name: 'fault.bin' });
    google.faults.add({ op: 'statusQuery', action: 'expireSession' });
    assert.equal((await status(other)).status, 404);
    assert.equal((await put(other, pattern(10), 'bytes 0-9/10')).status, 404);
  });

  it('rate-limits a status query on request; the session is untouched and answers the next one', async () => {
    const { google, init, put, status } = await setup();
    const data = pattern(CHUNK + 10);
    const session = await init({ name: 'paced.bin' });
    assert.equal((await put(session, data.subarray(0, CHUNK), `bytes 0-${CHUNK - 1}/${data.length}`)).status, 308);
    google.faults.add({ op: 'statusQuery', action: { rateLimit: '403 rateLimitExceeded' } });
    const limited = await status(session);
    assert.equal(limited.status, 403);
    assert.equal(JSON.parse(limited.text).error.errors[0].reason, 'rateLimitExceeded');
    const after = await status(session);
    assert.equal(after.status, 308);
    assert.equal(after.headers.range, `bytes=0-${CHUNK - 1}`);
    assert.deepEqual(google.stats.rateLimitedByOp, { statusQuery: 1 });
  });

  it('loses the final answer after committing (commitThenReset); a status query then returns the file', async () => {
    const { google, init, put, status } = await setup();
    const data = pattern(1000);
    const session = await init({ name: 'lost.bin' });
    google.faults.add({ op: 'chunk', action: 'commitThenReset' });
    await assert.rejects(put(session, data, 'bytes 0-999/1000'));
    const after = await status(session, '1000');
    assert.equal(after.status, 200);
    assert.equal(JSON.parse(after.text).size, '1000');
    assert.equal(google.tree().length, 1);
  });

  it('can store checksums that do not match the bytes (corruptStored)', async () => {
    const { google, init, put } = await setup();
    const data = pattern(1000);
    const session = await init({ name: 'corrupt.bin' });
    google.faults.add({ op: 'chunk', action: 'corruptStored' });
    const done = await put(session, data, 'bytes 0-999/1000');
    assert.equal(JSON.parse(done.text).size, '1000');
    assert.notEqual(JSON.parse(done.text).md5Checksum, createHash('md5').update(data).digest('hex'));
  });

  it('validates at init and answers 409 at completion when the pre-generated id was taken meanwhile', async () => {
    const { url, init, put } = await setup({ storageQuotaBytes: 10 * MiB });
    const { access_token } = await login(url);
    const tooBig = await drive(url, access_token, '/upload/drive/v3/files?uploadType=resumable', { method: 'POST', json: { name: 'big' }, headers: { 'x-upload-content-length': String(11 * MiB) } });
    assert.equal(tooBig.status, 403);
    assert.equal(await errorReason(tooBig), 'storageQuotaExceeded');
    assert.equal((await drive(url, access_token, '/upload/drive/v3/files?uploadType=resumable', { method: 'POST', json: { name: 'x', parents: ['nope'] } })).status, 404);

    const ids = (await (await drive(url, access_token, '/drive/v3/files/generateIds?count=1')).json()) as { ids: string[] };
    const id = ids.ids[0]!;
    const a = await init({ id, name: 'a' });
    const b = await init({ id, name: 'b' });
    assert.equal((await put(a, pattern(10), 'bytes 0-9/10')).status, 201);
    const clash = await put(b, pattern(10), 'bytes 0-9/10');
    assert.equal(clash.status, 409);
    assert.equal(JSON.parse(clash.text).error.errors[0].reason, 'fileIdInUse');
  });

  it('reads /upload bodies no faster than uploadBytesPerSecond', async () => {
    const { init, put } = await setup({ uploadBytesPerSecond: 4 * MiB });
    const session = await init({ name: 'slow.bin' });
    const started = performance.now();
    assert.equal((await put(session, pattern(MiB), `bytes 0-${MiB - 1}/${MiB}`)).status, 201);
    assert.ok(performance.now() - started >= 200, `took ${performance.now() - started} ms`);
  });

  it('keeps emulator memory flat for a 50 MB upload', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { init, url } = await setup();
    const { access_token } = await login(url);
    const size = 50 * MiB;
    const id = 777;
    const session = await init({ name: 'video.mp4' }, { 'x-upload-content-length': String(size) });
    gc();
    const before = process.memoryUsage();
    const res = await raw(session, 'PUT', { authorization: `Bearer ${access_token}`, 'content-length': String(size), 'content-range': `bytes 0-${size - 1}/${size}` }, fileBytes(id, size));
    assert.equal(res.status, 201, res.text);
    gc();
    const after = process.memoryUsage();
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    assert.ok(growth < 20 * MiB, `memory grew by ${(growth / MiB).toFixed(1)} MiB`);
    assert.equal(JSON.parse(res.text).md5Checksum, expectedFile(id, size).md5);
  });
});
