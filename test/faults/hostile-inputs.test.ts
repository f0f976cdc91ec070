import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { expectedFile, type GalleryFileSpec, type ListingEntry } from '../../src/emulators/gallery';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree } from '../helpers/drive-tree';
import { ARCHIVE_HOST, FAIL_LINK, SUCCESS_LINK, Stack, startStack } from '../helpers/stack';
import { KiB, MiB, assertOneCallback, newGallery, queueDepth, rootCount, runsOnTaskQueue, seconds } from './support';

/**
 * Fault 6 — hostile inputs against the full stack. Requests to the API get a 4xx naming the problem and queue
 * nothing (checked with the bridge stopped: the queue stays empty, no workflow exists). Hostile listing entries
 * become counted per-file failures with a reason, while the good entries of the same listing land exactly (with
 * cleaned, de-duplicated names). Whole-listing problems (not JSON, too large, wrong shape) fail the transfer with
 * a clear error and a `failed` callback. No hostile URL is ever fetched: a canary server on 127.0.0.1 counts hits.
 * The listing limit is lowered to 5 MB in this stack, so a 10 MB listing proves it.
 */

const CHUNK = 256 * KiB;
let stack: Stack;
let canary: Server;
let canaryUrl: string;
let canaryHits = 0;

before(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.end('secret');
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
  stack = await startStack({
    env: (defaults) => ({
      // The metadata address is on the allowlist on purpose: the address guard must still refuse it.
      SOURCE_URL_HOSTS: `${defaults.SOURCE_URL_HOSTS},169.254.169.254`,
      LISTING_MAX_BYTES: String(5 * MiB),
      RETRY_WINDOW_HOURS: '0',
      MULTIPART_MAX_BYTES: String(CHUNK),
      UPLOAD_CHUNK_BYTES: String(CHUNK),
    }),
  });
});
after(async () => {
  await stack?.close();
  await new Promise((r) => canary?.close(r));
});

const VALID = {
  redirect_success_link: SUCCESS_LINK,
  redirect_fail_link: FAIL_LINK,
  archive_url: `https://${ARCHIVE_HOST}/g/api/stream/858329/${'f'.repeat(32)}?mod=web`,
  gallery_name: 'Hostile',
  archive_type: 'originals',
  cloud_type: 'google_drive',
};

interface ApiCase {
  name: string;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  status: number;
  error: string;
  field?: string;
}

const json = (patch: Record<string, unknown>, drop: string[] = []): string => {
  const body: Record<string, unknown> = { ...VALID, ...patch };
  for (const k of drop) delete body[k];
  return JSON.stringify(body);
};
const field = (name: string, value: unknown, status = 400, error = 'invalid_field'): Omit<ApiCase, 'name'> => ({ body: json({ [name]: value }), status, error, field: name });

const API_CASES: ApiCase[] = [
  { name: 'body over 16 KiB', body: json({ gallery_name: 'x'.repeat(20_000) }), status: 413, error: 'payload_too_large' },
  { name: 'malformed JSON', body: '{"archive_url": "https://', status: 400, error: 'invalid_json' },
  { name: 'a JSON array', body: '[{"archive_url":1}]', status: 400, error: 'invalid_body' },
  { name: 'a JSON string', body: '"hello"', status: 400, error: 'invalid_json' },
  { name: 'text/plain instead of JSON', body: json({}), contentType: 'text/plain', status: 415, error: 'unsupported_media_type' },
  { name: 'form-encoded body', body: 'archive_url=x', contentType: 'application/x-www-form-urlencoded', status: 415, error: 'unsupported_media_type' },
  { name: 'content-encoding gzip on a body that is not gzip', body: json({}), headers: { 'content-encoding': 'gzip' }, status: 400, error: 'bad_request' },
  { name: 'content-encoding the API does not accept', body: json({}), headers: { 'content-encoding': 'compress' }, status: 415, error: 'unsupported_media_type' },
  { name: 'missing archive_url', body: json({}, ['archive_url']), status: 400, error: 'missing_field', field: 'archive_url' },
  { name: 'archive_url is a number', ...field('archive_url', 858329) },
  { name: 'gallery_name is an object', ...field('gallery_name', { $gt: '' }) },
  { name: 'archive_type unknown', ...field('archive_type', 'raw') },
  { name: 'cloud_type unknown', ...field('cloud_type', 'dropbox') },
  { name: 'cloud_type as a list', ...field('cloud_type', ['yadisk']) },
  { name: 'javascript: success link', ...field('redirect_success_link', 'javascript:alert(document.cookie)') },
  { name: 'data: fail link', ...field('redirect_fail_link', 'data:text/html,<script>alert(1)</script>') },
  { name: 'success link off the allowlist', ...field('redirect_success_link', 'https://evil.example/phish') },
  { name: 'success link with a user-info trick', ...field('redirect_success_link', 'https://gallery.example@evil.example/') },
  { name: 'archive_url off the allowlist', ...field('archive_url', `https://evil.example/g/api/stream/1/${'a'.repeat(32)}`) },
  { name: 'archive_url at 127.0.0.1', ...field('archive_url', `http://127.0.0.1:5672/g/api/stream/1/${'a'.repeat(32)}`) },
  { name: 'archive_url at the metadata address', ...field('archive_url', `http://169.254.169.254/g/api/stream/1/${'a'.repeat(32)}`) },
  { name: 'archive_url with credentials', ...field('archive_url', `https://user:pw@${ARCHIVE_HOST}/g/api/stream/1/${'a'.repeat(32)}`) },
  { name: 'archive_url with another path', ...field('archive_url', `https://${ARCHIVE_HOST}/g/api/stream/1/../../../admin`) },
  { name: 'archive_url javascript:', ...field('archive_url', 'javascript:fetch(1)') },
  { name: 'archive_url of 2,100 characters', ...field('archive_url', `https://${ARCHIVE_HOST}/g/api/stream/1/${'a'.repeat(32)}?x=${'y'.repeat(2100)}`) },
  { name: 'gallery_name of 10,000 characters', ...field('gallery_name', 'n'.repeat(10_000)) },
  { name: 'gallery_name with control characters', ...field('gallery_name', 'Wedding\u0000\u001b[31m') },
  { name: 'gallery_name blank', ...field('gallery_name', '   ') },
];

describe('hostile inputs, full stack', () => {
  test(`${API_CASES.length + 3} hostile API requests: each a 4xx naming the problem; nothing queued, nothing started`, async (t) => {
    await stack.bridge.stop(); // anything published would stay in the queue, where we can see it
    try {
      const rows: string[] = [];
      for (const c of API_CASES) {
        const res = await fetch(`${stack.apiUrl}/cloud_archive`, {
          method: 'POST',
          headers: { 'content-type': c.contentType ?? 'application/json', ...c.headers },
          body: c.body,
        });
        const text = await res.text();
        let body: { error?: string; field?: string; message?: string } = {};
        try {
          body = JSON.parse(text);
        } catch {
          // checked below
        }
        const actual = { status: res.status, error: body.error, field: body.field };
        assert.deepEqual(actual, { status: c.status, error: c.error, field: c.field }, `${c.name}: ${text.slice(0, 300)}`);
        assert.ok(body.message && body.message.length > 10, `${c.name}: a message a person can read`);
        if (c.field) assert.ok(body.message!.includes(c.field), `${c.name}: the message names ${c.field}`);
        rows.push(`${c.name} → ${res.status} ${body.error}${body.field ? ` (${body.field})` : ''}`);
      }
      // The OAuth callback with a forged or missing state: an error page, never a redirect.
      for (const [name, query] of [
        ['forged state', `code=abc&state=v1.${randomBytes(64).toString('base64url')}`],
        ['no state', 'code=abc'],
        ['state repeated', `code=abc&state=a&state=b`],
      ] as const) {
        const res = await fetch(`${stack.apiUrl}/cloud_archive/oauth/google/callback?${query}`, { redirect: 'manual' });
        assert.equal(res.status, 400, name);
        assert.equal(res.headers.get('location'), null, `${name}: no redirect`);
        rows.push(`callback with ${name} → ${res.status} page`);
      }
      assert.equal(await queueDepth(stack.config.AMQP_URL, stack.config.AMQP_QUEUE), 0, 'nothing was queued');
      assert.deepEqual(await runsOnTaskQueue(stack), [], 'no workflow was started');
      t.diagnostic(`${rows.length} hostile requests:\n  ${rows.join('\n  ')}`);
    } finally {
      await stack.bridge.start();
    }
  });

  test('a hostile listing: every bad entry is a counted failure with its reason; the good ones land exactly', async (t) => {
    const started = Date.now();
    const galleryId = String(7_600_000 + Math.floor(Math.random() * 1000));
    const hash = randomBytes(16).toString('hex');
    const galleryHost = new URL(stack.galleryUrl).host;
    // Files the gallery can serve (served name = basename of the listing name).
    const served: GalleryFileSpec[] = [];
    const entries: unknown[] = [];
    const good: Array<{ id: number; name: string; size: number }> = [];
    const serve = (id: number, basename: string, size: number) => {
      served.push({ id, name: basename, size });
      return `${stack.galleryUrl}/files/${galleryId}/${id}/${encodeURIComponent(basename)}`;
    };
    const entry = (id: number, name: string, size: number, over: Partial<ListingEntry> = {}): ListingEntry => ({
      crc: expectedFile(id, size).crc32,
      filesize: size,
      created_at: '2024-08-17 12:54:32 +0300',
      name,
      url: over.url ?? serve(id, name.split('/').pop()!, size),
      id,
      ...over,
    });
    const unserved = (id: number) => `${stack.galleryUrl}/files/${galleryId}/${id}/x.jpg`;
    const okFile = (id: number, name: string, size: number, expectedName: string) => {
      entries.push(entry(id, name, size));
      good.push({ id, name: expectedName, size });
    };

    okFile(7600001, 'Album/ok_1.jpg', 20 * KiB, 'Album/ok_1.jpg');
    okFile(7600002, 'A//B///ok_2.jpg', 3 * KiB, 'A/B/ok_2.jpg'); // empty segments dropped
    okFile(7600003, './C/./ok_3.jpg', 4 * KiB, 'C/ok_3.jpg'); // "." segments dropped
    const longFolder = 'L'.repeat(10_000 - '/ok_4.jpg'.length); // a 10,000-character name
    okFile(7600004, `${longFolder}/ok_4.jpg`, 5 * KiB, `${'L'.repeat(254)}…/ok_4.jpg`); // shortened to 255
    okFile(7600005, 'Dup/same.jpg', 6 * KiB, 'Dup/same.jpg');
    okFile(7600006, 'Dup/same.jpg', 7 * KiB, 'Dup/same (2).jpg'); // duplicate names made distinct
    okFile(7600007, 'Dup/SAME.jpg', 8 * KiB, 'Dup/SAME (3).jpg'); // case-insensitively
    okFile(7600008, 'Album/evil\u202egpj.exe', 9 * KiB, 'Album/evilgpj.exe'); // bidi override stripped
    okFile(7600009, 'Album/corrupt_once.jpg', 30 * KiB, 'Album/corrupt_once.jpg');
    okFile(7600010, 'Album/Video/corrupt_once.mov', 3 * CHUNK + 17, 'Album/Video/corrupt_once.mov');
    entries.push({ ...(entries.find((e) => (e as ListingEntry).id === 7600009) as ListingEntry) }); // the same photo twice: copied once
    // The first download of these two is corrupt (same length, other bytes): caught by the CRC, fetched again.
    stack.gallery.faultFile(7600009, [{ wrongBytes: true }]);
    stack.gallery.faultFile(7600010, [{ wrongBytes: true }]);

    const bad: Array<{ name: string; reason: RegExp }> = [];
    const badEntry = (e: unknown, name: string, reason: RegExp) => {
      entries.push(e);
      bad.push({ name, reason });
    };
    badEntry(entry(7600101, '../escape.jpg', 1000), '../escape.jpg', /"\.\." path segment/);
    badEntry(entry(7600102, 'Album/../../etc/passwd', 1000), 'Album/../../etc/passwd', /"\.\." path segment/);
    badEntry(entry(7600103, 'X'.repeat(20_000), 1000, { url: unserved(7600103) }), 'X'.repeat(300), /field "name"/);
    badEntry(entry(7600104, '', 1000, { url: unserved(7600104) }), '', /field "name"/);
    badEntry(entry(7600105, '///', 1000, { url: unserved(7600105) }), '///', /empty after removing/);
    badEntry(entry(7600106, 'js.jpg', 1000, { url: 'javascript:alert(1)' }), 'js.jpg', /scheme javascript: is not allowed/);
    badEntry(entry(7600107, 'data.jpg', 1000, { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' }), 'data.jpg', /scheme data: is not allowed/);
    badEntry(entry(7600108, 'loopback.jpg', 1000, { url: `${canaryUrl}/loopback.jpg` }), 'loopback.jpg', /host 127\.0\.0\.1:\d+ is not on SOURCE_URL_HOSTS/);
    badEntry(entry(7600109, 'metadata.jpg', 1000, { url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/metadata.jpg' }), 'metadata.jpg', /address 169\.254\.169\.254 is not allowed/);
    badEntry(entry(7600110, 'redirected.jpg', 1000), 'redirected.jpg', /host 127\.0\.0\.1:\d+ is not on the allowlist/);
    stack.gallery.faultFile(7600110, [{ redirectTo: `${canaryUrl}/latest/meta-data/redirected.jpg` }]);
    badEntry(entry(7600111, 'creds.jpg', 1000, { url: `http://user:pw@${galleryHost}/files/${galleryId}/7600111/creds.jpg` }), 'creds.jpg', /credentials are refused/);
    serve(7600111, 'creds.jpg', 1000);
    badEntry(entry(7600112, 'Album/bad_crc.jpg', 2000, { crc: '0badc0de' }), 'Album/bad_crc.jpg', /does not match its CRC32/);
    badEntry(entry(7600113, 'Album/short.jpg', 3000, { filesize: 3001 }), 'Album/short.jpg', /3000 bytes for "short\.jpg", the listing says 3001/);
    badEntry({ ...entry(7600114, 'str_size.jpg', 1000), filesize: '1000' }, 'str_size.jpg', /field "filesize"/);
    badEntry(entry(7600115, 'crc.jpg', 1000, { crc: 'zz' }), 'crc.jpg', /field "crc"/);
    badEntry(entry(7600116, 'negative.jpg', 1000, { id: -5 }), 'negative.jpg', /field "id"/);
    badEntry(42, '', /field "entry"|expected object/);
    badEntry({ id: 7600118, name: 'nourl.jpg', filesize: 10, crc: '00000000' }, 'nourl.jpg', /field "url"/);

    stack.gallery.addGallery({ galleryId, hash, files: served, rawListing: JSON.stringify(entries) });
    const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: 'Hostile listing' });
    assert.ok(transferId);
    const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
    await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 120_000);
    const failures = (await handle.query('failedFiles')) as Array<{ name: string; code: string; reason: string }>;
    const describeFailures = () => JSON.stringify(failures.map((f) => [f.name.slice(0, 40), f.code, f.reason]));
    const callback = await assertOneCallback(
      stack,
      transferId,
      { status: 'partially_failed', failed_photos: bad.length, files_uploaded: good.length, files_total: good.length + bad.length },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nfailures: ${describeFailures()}`);
    });
    const unmatched = [...failures];
    for (const expected of bad) {
      const i = unmatched.findIndex((f) => f.name === expected.name && expected.reason.test(f.reason));
      assert.ok(i >= 0, `a failure for "${expected.name.slice(0, 40)}" with reason ${expected.reason}; failures: ${JSON.stringify(unmatched.map((f) => [f.name.slice(0, 40), f.code, f.reason]))}`);
      unmatched.splice(i, 1);
    }
    assert.deepEqual(unmatched, [], 'no other failures');
    assertDriveTree(stack.google, 'Hostile listing', good);
    assert.equal(rootCount(stack.google, 'Hostile listing'), 1);
    assert.equal(canaryHits, 0, 'no hostile URL was fetched (loopback canary)');
    assert.ok((stack.gallery.stats.requests[7600009] ?? 0) >= 2 && (stack.gallery.stats.requests[7600010] ?? 0) >= 2, 'the corrupt downloads were fetched again');
    await handle.result();
    t.diagnostic(
      `${entries.length} listing entries: ${good.length} copied (cleaned/de-duplicated names, 2 corrupt first downloads caught), ${bad.length} counted failures in ${seconds(started)} s:\n  ` +
        failures.map((f) => `${f.name.slice(0, 40) || '(no name)'} → ${f.code}: ${f.reason.slice(0, 110)}`).join('\n  ') +
        `\n  callback: ${callback.status}, failed_photos ${callback.failed_photos}; canary hits: ${canaryHits}`,
    );
  });

  const bigListing = () => {
    // ~10 MB of well-formed entries.
    const one = JSON.stringify({ crc: '00000000', filesize: 1000, created_at: '2024-08-17 12:54:32 +0300', name: `Album/${'p'.repeat(100)}.jpg`, url: 'http://x/y.jpg', id: 1 });
    const count = Math.ceil((10 * MiB) / (one.length + 1));
    return `[${Array.from({ length: count }, () => one).join(',')}]`;
  };
  const LISTINGS: Array<{ name: string; raw: () => string; error: RegExp }> = [
    { name: 'a listing that is not JSON', raw: () => '<html><body>502 Bad Gateway</body></html>', error: /not valid JSON/ },
    { name: 'a 10 MB listing (LISTING_MAX_BYTES = 5 MB here)', raw: bigListing, error: /larger than LISTING_MAX_BYTES \(5242880 bytes\)/ },
    { name: 'a JSON listing that is not a list of files', raw: () => '{"error":"gallery archived"}', error: /not a JSON array of files/ },
  ];
  for (const [i, l] of LISTINGS.entries()) {
    test(`${l.name}: the transfer fails with a clear error and a failed callback; nothing created in Drive`, async (t) => {
      const raw = l.raw();
      const name = `Bad listing ${i}`;
      const { transferId } = await stack.consent(newGallery(stack, [], name, raw));
      assert.ok(transferId);
      const result = (await stack.result(transferId)) as { state: string; error: string };
      assert.equal(result.state, 'failed');
      assert.match(result.error, l.error);
      const callback = await assertOneCallback(stack, transferId, { status: 'failed', failed_photos: 0, files_uploaded: 0 });
      assert.match(String(callback.error), l.error, 'the callback says why');
      assert.equal(rootCount(stack.google, name), 0, 'no folder was created');
      t.diagnostic(`${(raw.length / MiB).toFixed(2)} MB listing → failed: ${callback.error}`);
    });
  }
});
