import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { crc32 } from 'hash-wasm';
import { createYandexEmulator, type YandexEmulator, type YandexEmulatorOptions } from '../../src/emulators/yandex';
import { ProviderCaller } from '../../src/providers/caller';
import { Pacer } from '../../src/providers/pacer';
import type { PutFileRequest } from '../../src/providers/types';
import { YandexApi } from '../../src/providers/yandex-disk/api';
import { YandexAuth } from '../../src/providers/yandex-disk/auth';
import { toYandexError } from '../../src/providers/yandex-disk/errors';
import { YandexDiskProvider } from '../../src/providers/yandex-disk/provider';
import { randomId } from '../../src/shared/crypto';
import { TransferError } from '../../src/shared/errors';
import type { FileEntry } from '../../src/source/listing';
import { YANDEX_CLIENT, YANDEX_REDIRECT_URI, yandexLogin } from '../helpers/yandex-login';

/**
 * The Yandex Disk provider alone against the Yandex emulator (no Temporal, no queue): what it writes, what it
 * refuses to touch, and how it gets through lost answers, dead upload links and damaged copies. Each test has its
 * own emulator, so faults and trees never meet.
 */

interface Disk {
  yandex: YandexEmulator;
  provider(mode: { serverSideFetch: boolean }): YandexDiskProvider;
  /** Serves a photo's bytes to Yandex's own download (server-side fetch); returns its URL. */
  source(name: string, bytes: Buffer): string;
  /** Writes a file straight into the Disk, as the user (or anyone but this transfer) would. */
  put(path: string, bytes: Buffer): Promise<void>;
  mkdir(path: string): Promise<void>;
}

async function disk(options: Partial<YandexEmulatorOptions> = {}): Promise<Disk> {
  const yandex = createYandexEmulator({ ...YANDEX_CLIENT, redirectUris: [YANDEX_REDIRECT_URI], ...options });
  const { url } = await yandex.listen(0, '127.0.0.1');
  after(() => yandex.close());
  const refreshToken = await yandexLogin(url);
  const auth = new YandexAuth({ ...YANDEX_CLIENT, tokenUrl: `${url}/token`, revokeUrl: `${url}/revoke_token` }, refreshToken);
  const api = new YandexApi(url, auth);
  const photos = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const bytes = photos.get(req.url ?? '');
    if (bytes) res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': bytes.length }).end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const sourceBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    yandex,
    provider: (mode) => new YandexDiskProvider(auth, new ProviderCaller(auth, new Pacer(1000, 1000), toYandexError), api, mode),
    source(name, bytes) {
      photos.set(`/${encodeURIComponent(name)}`, bytes);
      return `${sourceBase}/${encodeURIComponent(name)}`;
    },
    async put(path, bytes) {
      const { href } = await api.call<{ href: string }>('GET', '/v1/disk/resources/upload', { path });
      assert.equal((await fetch(href, { method: 'PUT', body: bytes })).status, 201);
    },
    async mkdir(path) {
      await api.call('PUT', '/v1/disk/resources', { path });
    },
  };
}

interface Photo {
  req: PutFileRequest;
  bytes: Buffer;
  /** The last checkpoint the provider saved (what the next attempt would be given). */
  checkpoint(): unknown;
}

let nextSourceId = 1;

/** A photo (`bytes`, or `size` random ones) to copy into folder `parentId`; `checkpoint` is what an earlier attempt left. */
async function photo(
  d: Disk,
  transferId: string,
  parentId: string,
  name: string,
  opts: { size?: number; bytes?: Buffer; checkpoint?: unknown } = {},
): Promise<Photo> {
  const bytes = opts.bytes ?? randomBytes(opts.size ?? 40_000);
  const file: FileEntry = { index: 0, sourceId: nextSourceId++, folder: '', folderIndex: -1, name, url: d.source(`${transferId}-${name}`, bytes), size: bytes.length, crc: await crc32(bytes) };
  let saved: unknown = opts.checkpoint;
  const req: PutFileRequest = {
    transferId,
    file,
    parentId,
    async *read(offset) {
      for (let at = offset; at < bytes.length; at += 16_384) yield bytes.subarray(at, Math.min(bytes.length, at + 16_384));
    },
    checkpoint: opts.checkpoint,
    saveCheckpoint: (cp) => (saved = cp),
    signal: new AbortController().signal,
  };
  return { req, bytes, checkpoint: () => saved };
}

function failsWith(code: string, retryable: boolean, message?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TransferError, `a TransferError, got ${String(err)}`);
    assert.deepEqual({ code: err.code, retryable: err.retryable }, { code, retryable }, err.message);
    if (message) assert.match(err.message, message);
    return true;
  };
}

const paths = (yandex: YandexEmulator): string[] => yandex.tree().map((n) => n.path);

/** A gallery folder and its albums (top-level ones) made by the provider, as the activities would; returns the gallery folder. */
async function gallery(d: Disk, transferId: string, albums: string[] = []): Promise<string> {
  const made = await folders(d.provider({ serverSideFetch: false }), transferId, albums);
  return made['']!;
}

/** References by path ("" for the gallery folder) of the gallery folder "Gallery" and its top-level albums. */
async function folders(provider: YandexDiskProvider, transferId: string, albums: string[] = []): Promise<Record<string, string>> {
  const root = await provider.createRoot({ transferId, rootName: 'Gallery' });
  const refs: Record<string, string> = { '': root.ref };
  for (const path of albums) refs[path] = await provider.createFolder({ transferId, path, parentRef: root.ref });
  return refs;
}

for (const serverSideFetch of [false, true]) {
  const mode = serverSideFetch ? 'server-side fetch' : 'streaming';

  describe(`Yandex provider (${mode}): it deletes only a file this transfer wrote`, () => {
    it('a folder where the photo should go is left alone with its contents; the photo fails as a name conflict', async () => {
      const d = await disk();
      const transferId = randomId();
      const root = await gallery(d, transferId, ['A']);
      const album = await photo(d, transferId, `${root}/A`, '1.jpg');
      await d.provider({ serverSideFetch }).putFile(album.req);
      const clash = await photo(d, transferId, root, 'A');
      await assert.rejects(d.provider({ serverSideFetch }).putFile(clash.req), failsWith('name_conflict', false, /folder/));
      assert.deepEqual(paths(d.yandex), ['/Gallery', '/Gallery/A', '/Gallery/A/1.jpg']);
      assert.equal(d.yandex.fileContent('/Gallery/A/1.jpg')?.equals(album.bytes), true);
      assert.equal(d.yandex.stats.requests.deleteResource, undefined, 'nothing was deleted');
    });

    it('a different file this transfer did not write is kept; the photo fails as a name conflict', async () => {
      const d = await disk();
      const transferId = randomId();
      const root = await gallery(d, transferId);
      const theirs = randomBytes(40_000);
      await d.put(`${root}/b.jpg`, theirs);
      const mine = await photo(d, transferId, root, 'b.jpg', { size: serverSideFetch ? 40_001 : 40_000 });
      await assert.rejects(d.provider({ serverSideFetch }).putFile(mine.req), failsWith('name_conflict', false));
      assert.equal(d.yandex.fileContent('/Gallery/b.jpg')?.equals(theirs), true, 'their file is untouched');
      assert.equal(d.yandex.stats.requests.deleteResource, undefined);
    });

    it('a damaged copy it wrote is deleted and the photo fails verification', async () => {
      const d = await disk();
      const transferId = randomId();
      const root = await gallery(d, transferId);
      // Server-side fetch checks only the size (the listing has a CRC32, Yandex reports none): a flipped byte is
      // invisible there, a lost one is not.
      d.yandex.faults.add({ op: serverSideFetch ? 'uploadByUrl' : 'upload', action: serverSideFetch ? 'truncateStored' : 'corruptStored' });
      const p = await photo(d, transferId, root, 'c.jpg');
      await assert.rejects(d.provider({ serverSideFetch }).putFile(p.req), failsWith('verification_failed', false));
      assert.equal(d.yandex.faults.fired.length, 1);
      assert.deepEqual(paths(d.yandex), ['/Gallery'], 'the wrong copy is gone');
      assert.equal(d.yandex.stats.requests.deleteResource, 1);
    });
  });
}

describe('Yandex provider: a damaged copy from an earlier attempt', () => {
  /** Attempt 1 uploads a damaged copy, then cannot read its metadata and gives up (retryable). */
  async function firstAttempt(d: Disk, transferId: string, root: string) {
    d.yandex.faults.add({ op: 'upload', action: 'corruptStored' });
    d.yandex.faults.add({ op: 'getResource', times: 5, when: (ctx) => ctx.path === `${root}/d.jpg`, action: { status: 500 } });
    const first = await photo(d, transferId, root, 'd.jpg');
    await assert.rejects(d.provider({ serverSideFetch: false }).putFile(first.req), failsWith('yadisk_unavailable', true));
    assert.equal(d.yandex.tree().find((n) => n.path === '/Gallery/d.jpg')?.size, first.bytes.length, 'the damaged copy is on the Disk');
    return first;
  }

  it('is deleted by the next attempt when the checkpoint records that this transfer wrote it', async () => {
    const d = await disk();
    const transferId = randomId();
    const root = await gallery(d, transferId);
    const first = await firstAttempt(d, transferId, root);
    const retry = await photo(d, transferId, root, 'd.jpg', { bytes: first.bytes, checkpoint: first.checkpoint() });
    await assert.rejects(d.provider({ serverSideFetch: false }).putFile(retry.req), failsWith('verification_failed', false));
    assert.deepEqual(paths(d.yandex), ['/Gallery']);
  });

  it('is kept when nothing records that this transfer wrote it (a lost heartbeat): in doubt, nothing is deleted', async () => {
    const d = await disk();
    const transferId = randomId();
    const root = await gallery(d, transferId);
    const first = await firstAttempt(d, transferId, root);
    const retry = await photo(d, transferId, root, 'd.jpg', { bytes: first.bytes });
    await assert.rejects(d.provider({ serverSideFetch: false }).putFile(retry.req), failsWith('name_conflict', false));
    assert.deepEqual(paths(d.yandex), ['/Gallery', '/Gallery/d.jpg']);
    assert.equal(d.yandex.stats.requests.deleteResource, undefined);
  });
});

describe('Yandex provider: the gallery folder', () => {
  /** Everything at the top of the Disk, with the transfer that marked it. */
  const top = (yandex: YandexEmulator) =>
    yandex
      .tree()
      .filter((n) => n.path.lastIndexOf('/') === 0)
      .map((n) => ({ path: n.path, owner: n.customProperties?.cloud_archive_transfer }));

  it('an answer lost after the folder was made does not leave a second folder', async () => {
    const d = await disk();
    const transferId = randomId();
    // Whatever request makes the folder, its answer is lost once.
    for (const op of ['mkdir', 'move'] as const) d.yandex.faults.add({ op, action: 'commitThenReset' });
    const created = await folders(d.provider({ serverSideFetch: false }), transferId, ['Album']);
    assert.deepEqual(created, { '': '/Gallery', Album: '/Gallery/Album' });
    assert.deepEqual(top(d.yandex), [{ path: '/Gallery', owner: transferId }]);
    assert.deepEqual(d.yandex.faults.fired.map((f) => f.ctx.op), ['mkdir', 'move'], 'both answers were lost');
  });

  it('a crash between making the folder and marking it does not leave a second folder', async () => {
    const d = await disk();
    const transferId = randomId();
    // The mark never gets through on the first attempt: it fails as a crash would, after the folder exists.
    d.yandex.faults.add({ op: 'patchResource', times: 5, action: { status: 500 } });
    const provider = d.provider({ serverSideFetch: false });
    await assert.rejects(folders(provider, transferId), failsWith('yadisk_unavailable', true));
    const created = await folders(provider, transferId);
    assert.equal(created[''], '/Gallery');
    assert.deepEqual(top(d.yandex), [{ path: '/Gallery', owner: transferId }]);
  });

  it('a retry after success finds the same folder; folders of others and of other transfers are never taken', async () => {
    const d = await disk();
    await d.mkdir('/Gallery');
    const [one, two] = [randomId(), randomId()];
    const make = (transferId: string) => folders(d.provider({ serverSideFetch: false }), transferId, ['Album']);
    const [a, b] = await Promise.all([make(one), make(two)]);
    assert.deepEqual([a[''], b['']].sort(), ['/Gallery (2)', '/Gallery (3)']);
    const again = await make(one);
    assert.deepEqual(again, a);
    assert.deepEqual(
      top(d.yandex),
      [
        { path: '/Gallery', owner: undefined },
        { path: a['']!, owner: one },
        { path: b['']!, owner: two },
      ].sort((x, y) => x.path.localeCompare(y.path)),
    );
  });
});

describe('Yandex provider: upload links that expire', () => {
  it('a retry that finds its link expired asks for a new one and the photo arrives', async () => {
    const d = await disk({ uploadLinkTtlMs: 450 });
    const transferId = randomId();
    const root = await gallery(d, transferId);
    // The retry after this 500 comes after the caller's 500 ms backoff, when the 450 ms link is dead.
    d.yandex.faults.add({ op: 'upload', action: { status: 500 } });
    const p = await photo(d, transferId, root, 'e.jpg');
    const stored = await d.provider({ serverSideFetch: false }).putFile(p.req);
    assert.deepEqual(stored.verified, ['crc32', 'size', 'md5']);
    assert.equal(d.yandex.fileContent('/Gallery/e.jpg')?.equals(p.bytes), true);
    assert.equal(d.yandex.stats.requests.uploadLink, 2, 'a second link was asked for');
  });

  it('links that keep dying fail the try as retryable, never for good', async () => {
    const d = await disk({ uploadLinkTtlMs: 0 });
    const transferId = randomId();
    const root = await gallery(d, transferId);
    const p = await photo(d, transferId, root, 'f.jpg');
    await assert.rejects(d.provider({ serverSideFetch: false }).putFile(p.req), failsWith('yadisk_upload_link_expired', true));
    assert.deepEqual(paths(d.yandex), ['/Gallery']);
  });
});
