import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { get, type IncomingHttpHeaders } from 'node:http';
import { after, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { createGalleryEmulator, expectedFile, fileBytes, type GalleryFileSpec, type ListingEntry } from '../../src/emulators/gallery';

const HASH = 'f9d24b1dfb81a1bfa215cc008f46f3d3';
const SECRET = 'callback-secret';
const BLOCK = 64 * 1024;

async function startGallery(files: GalleryFileSpec[], extra: { rawListing?: string } = {}) {
  const gallery = createGalleryEmulator({ callbackSecret: SECRET });
  const { url } = await gallery.listen();
  after(() => gallery.close());
  const { listingPath } = gallery.addGallery({ galleryId: '858329', hash: HASH, files, ...extra });
  const listing = async (): Promise<ListingEntry[]> => (await (await fetch(`${url}${listingPath}`)).json()) as ListingEntry[];
  return { gallery, url, listingPath, listing };
}

interface Download {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Set when the connection broke before the body was complete. */
  broken: boolean;
}

/** node:http so that a cut-off body still shows the bytes that did arrive. */
function download(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, method }, (res) => {
      const parts: Buffer[] = [];
      const done = (broken: boolean) => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts), broken });
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => done(false));
      res.on('error', () => done(true));
      res.on('aborted', () => done(true));
    });
    req.on('error', reject);
  });
}

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/** Reads a body until `bytes` arrived (then hangs up) or it ends. */
function readUntil(url: string, bytes: number): Promise<{ body: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      const parts: Buffer[] = [];
      let n = 0;
      res.on('data', (part: Buffer) => {
        parts.push(part);
        n += part.length;
        if (n < bytes) return;
        resolve({ body: Buffer.concat(parts), ended: false });
        req.destroy();
      });
      res.on('end', () => resolve({ body: Buffer.concat(parts), ended: true }));
    });
    req.on('error', reject);
  });
}

async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('gallery emulator', () => {
  it('serves the listing in LiteGallery’s exact shape', async () => {
    const { url, listing } = await startGallery([{ id: 49851973, name: 'Photos 1/Test_011.jpg', size: 268756 }]);
    const [entry, ...rest] = await listing();
    assert.equal(rest.length, 0);
    assert.deepEqual(Object.keys(entry!), ['crc', 'filesize', 'created_at', 'name', 'url', 'id']);
    assert.match(entry!.crc, /^[0-9a-f]{8}$/);
    assert.equal(entry!.filesize, 268756);
    assert.equal(entry!.created_at, '2024-08-17 12:54:32 +0300');
    assert.equal(entry!.name, 'Photos 1/Test_011.jpg');
    assert.equal(entry!.url, `${url}/files/858329/49851973/Test_011.jpg`);
    assert.equal(entry!.id, 49851973);
  });

  it('answers 404 for unknown galleries, a wrong hash or a missing json=true', async () => {
    const { url, listingPath } = await startGallery([]);
    assert.equal((await fetch(`${url}${listingPath}`)).status, 200);
    assert.equal((await fetch(`${url}/g/api/stream/858329/${HASH}`)).status, 404);
    assert.equal((await fetch(`${url}/g/api/stream/858329/${'0'.repeat(32)}?json=true`)).status, 404);
    assert.equal((await fetch(`${url}/g/api/stream/1/${HASH}?json=true`)).status, 404);
  });

  it('serves rawListing verbatim and honours crc / url overrides', async () => {
    const raw = await startGallery([], { rawListing: '<html>not json' });
    assert.equal(await (await fetch(`${raw.url}${raw.listingPath}`)).text(), '<html>not json');
    const { listing } = await startGallery([{ id: 5, name: 'a.jpg', size: 10, crc: 'deadbeef', url: 'http://169.254.169.254/latest' }]);
    const [entry] = await listing();
    assert.equal(entry!.crc, 'deadbeef');
    assert.equal(entry!.url, 'http://169.254.169.254/latest');
  });

  it('advertises the CRC32 of the bytes it serves, and expectedFile agrees', async () => {
    const sizes = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 1_000_003];
    const files = sizes.map((size, i) => ({ id: 100 + i, name: `Album/f${i}.jpg`, size }));
    const { listing } = await startGallery(files);
    for (const entry of await listing()) {
      const got = await download(entry.url);
      assert.equal(got.status, 200);
      assert.equal(got.body.length, entry.filesize);
      const expected = expectedFile(entry.id, entry.filesize);
      assert.equal(crc32(got.body).toString(16).padStart(8, '0'), entry.crc, `crc of file ${entry.id}`);
      assert.equal(expected.crc32, entry.crc);
      assert.equal(expected.md5, md5(got.body));
      assert.equal(expected.sha256, createHash('sha256').update(got.body).digest('hex'));
    }
  });

  it('generates distinct content per file id', () => {
    const a = expectedFile(1, 3 * BLOCK);
    const b = expectedFile(2, 3 * BLOCK);
    assert.notEqual(a.md5, b.md5);
    assert.equal(expectedFile(1, 3 * BLOCK).md5, a.md5);
  });

  it('answers Range requests with 206 / 416 and records them', async () => {
    const size = 300_000;
    const { gallery, listing } = await startGallery([{ id: 7, name: 'a/b c.jpg', size }]);
    const [entry] = await listing();
    assert.match(entry!.url, /\/b%20c\.jpg$/);
    const full = await download(entry!.url);
    assert.equal(full.headers['accept-ranges'], 'bytes');
    assert.equal(full.headers['content-type'], 'image/jpeg');
    assert.ok(full.headers.etag);

    const tail = await download(entry!.url, { range: 'bytes=100000-' });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers['content-range'], `bytes 100000-${size - 1}/${size}`);
    assert.equal(tail.headers['content-length'], String(size - 100000));
    assert.deepEqual(tail.body, full.body.subarray(100000));

    const middle = await download(entry!.url, { range: 'bytes=65530-65545' });
    assert.deepEqual(middle.body, full.body.subarray(65530, 65546));
    const suffix = await download(entry!.url, { range: 'bytes=-10' });
    assert.deepEqual(suffix.body, full.body.subarray(size - 10));

    const beyond = await download(entry!.url, { range: `bytes=${size}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${size}`);

    const stale = await download(entry!.url, { range: 'bytes=5-', 'if-range': '"other"' });
    assert.equal(stale.status, 200);

    const head = await download(entry!.url, {}, 'HEAD');
    assert.equal(head.headers['content-length'], String(size));
    assert.equal(head.body.length, 0);

    assert.deepEqual(
      gallery.stats.rangeRequests.map((r) => [r.range, r.status]),
      [['bytes=100000-', 206], ['bytes=65530-65545', 206], ['bytes=-10', 206], [`bytes=${size}-`, 416], ['bytes=5-', 200]],
    );
    assert.equal((await download(entry!.url.replace('b%20c.jpg', 'other.jpg'))).status, 404);
  });

  it('matches fileBytes ranges with the served bytes', async () => {
    const parts: Buffer[] = [];
    for await (const part of fileBytes(9, 200_000, 70_000, 140_000)) parts.push(part as Buffer);
    const whole: Buffer[] = [];
    for await (const part of fileBytes(9, 200_000)) whole.push(part as Buffer);
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(whole).subarray(70_000, 140_001));
    assert.throws(() => fileBytes(9, 10, 0, 10), RangeError);
  });

  it('injects per-file faults, one per request; a resumed download asks for the rest', async () => {
    const size = 500_000;
    const { gallery, listing } = await startGallery([{ id: 11, name: 'x.jpg', size }]);
    const [entry] = await listing();
    const expected = expectedFile(11, size);
    gallery.faultFile(11, [{ status: 503 }, { resetAfterBytes: 200_000 }, { redirectTo: 'http://elsewhere.example/x.jpg' }, { wrongBytes: true }]);

    assert.equal((await download(entry!.url)).status, 503);
    const cut = await download(entry!.url);
    assert.equal(cut.broken, true);
    assert.equal(cut.body.length, 200_000);
    const redirect = await download(entry!.url);
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, 'http://elsewhere.example/x.jpg');
    const wrong = await download(entry!.url);
    assert.equal(wrong.body.length, size);
    assert.notEqual(crc32(wrong.body).toString(16).padStart(8, '0'), entry!.crc);

    const rest = await download(entry!.url, { range: `bytes=${cut.body.length}-` });
    assert.equal(md5(Buffer.concat([cut.body, rest.body])), expected.md5);
    assert.deepEqual(gallery.stats.rangeRequests.map((r) => r.range), ['bytes=200000-']);
    assert.equal(gallery.stats.requests[11], 5);
    assert.equal(gallery.stats.bytesServed[11], 200_000 + size + (size - 200_000));
  });

  it('throttles with slowBytesPerSecond and fails the listing on demand', async () => {
    const { gallery, url, listingPath, listing } = await startGallery([{ id: 12, name: 'slow.jpg', size: 100_000 }]);
    const [entry] = await listing();
    gallery.faultFile(12, [{ slowBytesPerSecond: 400_000 }]);
    const started = performance.now();
    assert.equal((await download(entry!.url)).body.length, 100_000);
    assert.ok(performance.now() - started >= 150);

    gallery.failListing([{ status: 500 }, { resetAfterBytes: 10 }]);
    assert.equal((await fetch(`${url}${listingPath}`)).status, 500);
    assert.equal((await download(`${url}${listingPath}`)).broken, true);
    assert.equal((await fetch(`${url}${listingPath}`)).status, 200);
  });

  it('stalls a body after some bytes, holding the connection open, or trickles the rest', async () => {
    const { gallery, listing } = await startGallery([{ id: 13, name: 'stall.jpg', size: 200_000 }, { id: 14, name: 'drip.jpg', size: 3000 }]);
    const [stalled, dripping] = await listing();
    gallery.faultFile(13, [{ stallAfterBytes: 70_000 }]);
    const cut = await within(readUntil(stalled!.url, 70_000), 5000, 'the first 70,000 bytes of the stalled body');
    assert.equal(cut.ended, false, 'the response is not over');
    assert.equal(cut.body.length, 70_000, 'exactly the bytes before the stall (the next 64 KiB piece would cross it)');
    const expected: Buffer[] = [];
    for await (const part of fileBytes(13, 200_000, 0, 69_999)) expected.push(part as Buffer);
    assert.deepEqual(cut.body, Buffer.concat(expected));

    gallery.faultFile(14, [{ stallAfterBytes: 1000, trickleBytesPerSecond: 4000 }]);
    const started = performance.now();
    const whole = await within(download(dripping!.url), 5000, 'the trickled body');
    assert.equal(md5(whole.body), expectedFile(14, 3000).md5, 'all bytes, right ones');
    assert.ok(performance.now() - started >= 400, '2,000 bytes at 4,000 B/s in 400-byte drips');
  });

  it('receives completion callbacks, checks their signature and can fail them', async () => {
    const { gallery, url } = await startGallery([]);
    const post = (body: string, signature?: string) =>
      fetch(`${url}/api/cloud_archive/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-cloud-archive-signature': signature } : {}) },
        body,
      });
    const body = JSON.stringify({ transfer_id: 't1', status: 'done' });
    const sign = (text: string, key = SECRET) => `sha256=${createHmac('sha256', key).update(text).digest('hex')}`;

    const waiting = gallery.waitForCallback((r) => (r.json as { transfer_id?: string }).transfer_id === 't1', 5000);
    gallery.failCallbacks(1);
    assert.equal((await post(body, sign(body))).status, 500);
    assert.equal((await post(body, sign(body))).status, 200);
    const record = await waiting;
    assert.equal(record.signatureValid, true);
    assert.equal(record.rawBody.toString(), body);
    assert.equal(record.status, 200);

    await post(body, sign(body, 'wrong-key'));
    await post(body);
    await post(`${body} `, sign(body));
    assert.deepEqual(gallery.callbacks().map((r) => [r.status, r.signatureValid]), [[500, true], [200, true], [200, false], [200, false], [200, false]]);
    await assert.rejects(gallery.waitForCallback((r) => r.json === 'never', 50), /no matching completion callback/);
  });
});
