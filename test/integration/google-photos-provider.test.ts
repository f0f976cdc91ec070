import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 } from 'hash-wasm';
import { PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE, type GoogleEmulator, type GoogleEmulatorOptions } from '../../src/emulators/google';
import { ProviderCaller } from '../../src/providers/caller';
import { googleAuthFor } from '../../src/providers/google-auth';
import { PhotosApi } from '../../src/providers/google-photos/api';
import { BatchCommitter } from '../../src/providers/google-photos/committer';
import { toPhotosError } from '../../src/providers/google-photos/errors';
import { PhotosLibrary } from '../../src/providers/google-photos/library';
import { GooglePhotosProvider } from '../../src/providers/google-photos/provider';
import { PhotosUploader } from '../../src/providers/google-photos/upload';
import { Pacer } from '../../src/providers/pacer';
import type { CommitOutcome, PutFileRequest, StoredFile } from '../../src/providers/types';
import { Sealer } from '../../src/shared/crypto';
import { TransferError } from '../../src/shared/errors';
import type { FileEntry } from '../../src/source/listing';
import { CLIENT_ID, CLIENT_SECRET, login, startGoogle } from '../emulators/support';

/**
 * The Google Photos provider alone against the Google emulator's Library API (no Temporal, no queue): albums made
 * once, uploads checked before they can become items, batchCreate that never duplicates. Each test has its own
 * emulator, so faults and libraries never meet.
 */

const GRANULARITY = 256 * 1024;
const RAW_MAX = 64 * 1024;
const sealer = new Sealer('p'.repeat(40));

interface Photos {
  google: GoogleEmulator;
  /** A provider as one activity gets it; `fresh` builds the transfer's shared parts anew (another worker). */
  provider(fresh?: boolean): GooglePhotosProvider;
}

/** `uploadedAt`: the clock the uploads are stamped with (an upload made a day ago). */
async function photos(options: Partial<GoogleEmulatorOptions> = {}, uploadedAt: () => number = Date.now): Promise<Photos> {
  const { google, url } = await startGoogle(options);
  const { refresh_token } = await login(url, { scope: `${PHOTOS_APPENDONLY_SCOPE} ${PHOTOS_READ_APP_CREATED_SCOPE}`, offline: true });
  const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authUrl: `${url}/o/oauth2/v2/auth`, tokenUrl: `${url}/token`, revokeUrl: `${url}/revoke` };
  const build = () => {
    const auth = googleAuthFor(oauth, refresh_token!, 'Google Photos');
    const library = new PhotosLibrary(new PhotosApi(url, auth), new ProviderCaller(auth, new Pacer(1000, 1000), toPhotosError));
    const uploader = new PhotosUploader(library, { rawMaxBytes: RAW_MAX, chunkBytes: GRANULARITY, sealer, now: uploadedAt });
    return { auth, library, uploader, committer: new BatchCommitter(library, sealer) };
  };
  let shared = build();
  return {
    google,
    provider: (fresh = false) => new GooglePhotosProvider(fresh ? (shared = build()) : shared),
  };
}

interface Photo {
  req: PutFileRequest;
  bytes: Buffer;
  checkpoint(): unknown;
}

let nextIndex = 0;

async function photo(name: string, albumId: string, opts: { size?: number; bytes?: Buffer; checkpoint?: unknown; crc?: string; failAfter?: number } = {}): Promise<Photo> {
  const bytes = opts.bytes ?? randomBytes(opts.size ?? 20_000);
  const index = nextIndex++;
  const file: FileEntry = { index, sourceId: index, folder: '', folderIndex: -1, name, url: 'https://up.lite.gallery/x', size: bytes.length, crc: opts.crc ?? (await crc32(bytes)) };
  let saved: unknown = opts.checkpoint;
  const req: PutFileRequest = {
    transferId: 'transfer-1',
    file,
    parentId: albumId,
    async *read(offset) {
      for (let at = offset; at < bytes.length; at += 16_384) {
        if (opts.failAfter !== undefined && at >= opts.failAfter) throw new TransferError('source_stalled', 'the gallery stopped sending', true);
        yield bytes.subarray(at, Math.min(bytes.length, at + 16_384));
      }
    },
    checkpoint: opts.checkpoint,
    saveCheckpoint: (cp) => (saved = cp),
    signal: new AbortController().signal,
  };
  return { req, bytes, checkpoint: () => saved };
}

function commit(provider: GooglePhotosProvider, uploads: Array<{ p: Photo; stored: StoredFile }>, maybeCommitted = false): Promise<CommitOutcome[]> {
  return provider.commitFiles({
    transferId: 'transfer-1',
    items: uploads.map(({ p, stored }) => ({ file: p.req.file, parentId: p.req.parentId, pending: stored.pending, maybeCommitted })),
    signal: new AbortController().signal,
  });
}

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');
const ids = (outcomes: CommitOutcome[]): string[] => outcomes.map((o) => (o.ok ? o.id : `failed: ${o.error.code}`));

function failsWith(code: string, retryable: boolean) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TransferError, `a TransferError, got ${String(err)}`);
    assert.deepEqual({ code: err.code, retryable: err.retryable }, { code, retryable }, err.message);
    return true;
  };
}

describe('Google Photos provider: albums', () => {
  it('makes the gallery album and one album per folder, titled "<gallery> — a / b", each once', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const a = await provider().createFolder({ transferId: 'transfer-1', path: 'Ceremony', parentRef: root.ref });
    const ab = await provider().createFolder({ transferId: 'transfer-1', path: 'Ceremony/Rings', parentRef: a });
    // Retries (another worker: nothing remembered) find the same albums.
    assert.deepEqual(await provider(true).createRoot({ transferId: 'transfer-1', rootName: 'Wedding' }), root);
    assert.equal(await provider(true).createFolder({ transferId: 'transfer-1', path: 'Ceremony/Rings', parentRef: a }), ab);
    assert.deepEqual(google.photos.tree().albums.map((x) => x.title), ['Wedding', 'Wedding — Ceremony', 'Wedding — Ceremony / Rings']);
    assert.equal(root.url, `https://photos.google.com/lr/album/${root.ref}`);
    assert.deepEqual(await provider(true).findFolders({ transferId: 'transfer-1', rootRef: root.ref, paths: ['Ceremony/Rings', 'Ceremony'] }), [ab, a]);
  });

  it('a create whose answer was lost is found by the retry, not made twice', async () => {
    const { google, provider } = await photos();
    google.faults.add({ op: 'photosAlbumCreate', action: 'commitThenReset' });
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    assert.deepEqual(google.photos.tree().albums.map((x) => [x.id, x.title]), [[root.ref, 'Wedding']]);
  });

  it('cuts long titles to 500 characters without splitting a character, and two long paths stay two albums', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: '📷'.repeat(300) });
    const one = await provider().createFolder({ transferId: 'transfer-1', path: 'x'.repeat(600), parentRef: root.ref });
    const two = await provider().createFolder({ transferId: 'transfer-1', path: `${'x'.repeat(599)}y`, parentRef: root.ref });
    assert.notEqual(one, two);
    for (const album of google.photos.tree().albums) {
      assert.ok([...album.title].length <= 500, `${[...album.title].length} characters`);
      assert.ok(!/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/.test(album.title), 'no half surrogate pair');
    }
  });
});

describe('Google Photos provider: photos', () => {
  it('uploads small photos raw and adds them to their album in one batchCreate', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const batch = await Promise.all(['a.jpg', 'b.jpg', 'c.jpg'].map((n) => photo(`Wedding/${n}`, root.ref)));
    const uploads = await Promise.all(batch.map(async (p) => ({ p, stored: await provider().putFile(p.req) })));
    assert.equal(google.photos.tree().items.length, 0, 'an upload is not an item');
    const outcomes = await commit(provider(), uploads);
    const [album] = google.photos.tree().albums;
    assert.deepEqual(ids(outcomes), album!.items.map((i) => i.id));
    assert.deepEqual(album!.items.map((i) => [i.filename, i.md5]), batch.map((p) => [p.req.file.name.slice(8), md5(p.bytes)]));
    assert.deepEqual([google.stats.requests.photosRawUpload, google.stats.requests.photosBatchCreate], [3, 1]);
  });

  it('sends a large photo in chunks and resumes after a cut and after a failed attempt, sending each byte about once', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const bytes = randomBytes(4 * GRANULARITY + 1000);
    google.faults.add({ op: 'photosUploadChunk', action: { partialCommit: 0 }, when: (c) => c.range?.start === GRANULARITY });
    // The first attempt: the gallery stops sending after three chunks.
    const first = await photo('Wedding/big.jpg', root.ref, { bytes, failAfter: 3 * GRANULARITY });
    await assert.rejects(provider().putFile(first.req), failsWith('source_stalled', true));
    const second = await photo('Wedding/big.jpg', root.ref, { bytes, checkpoint: first.checkpoint() });
    const stored = await provider(true).putFile(second.req);
    assert.ok(stored.bytesSent <= bytes.length - 2 * GRANULARITY, `the retry sent ${stored.bytesSent} bytes`);
    const [made] = await commit(provider(), [{ p: second, stored }]);
    assert.ok(made!.ok);
    assert.deepEqual(google.photos.tree().items.map((i) => [i.size, i.md5]), [[bytes.length, md5(bytes)]]);
  });

  it('bytes that do not match the listing never become an item (nor reach the last chunk)', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const large = await photo('Wedding/big.jpg', root.ref, { size: 3 * GRANULARITY, crc: '00000000' });
    await assert.rejects(provider().putFile(large.req), failsWith('source_crc_mismatch', true));
    assert.equal(large.checkpoint(), undefined, 'the next attempt starts over');
    const small = await photo('Wedding/small.jpg', root.ref, { crc: '00000000' });
    await assert.rejects(provider().putFile(small.req), failsWith('source_crc_mismatch', true));
    assert.deepEqual([google.photos.uploadTokens().length, google.photos.tree().items.length], [0, 0]);
  });

  it('a batchCreate whose answer was lost is not made twice: the items are found in the album', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const batch = await Promise.all(['a.jpg', 'b.jpg'].map((n) => photo(`Wedding/${n}`, root.ref)));
    const uploads = await Promise.all(batch.map(async (p) => ({ p, stored: await provider().putFile(p.req) })));
    google.faults.add({ op: 'photosBatchCreate', action: 'commitThenReset' });
    const outcomes = await commit(provider(), uploads);
    assert.deepEqual(ids(outcomes), google.photos.tree().items.map((i) => i.id));
    // A later attempt that only knows a commit was started (its heartbeat) finds them too.
    const again = await commit(provider(true), uploads, true);
    assert.deepEqual(ids(again), ids(outcomes));
    assert.equal(google.photos.tree().items.length, 2);
  });

  it('after a lost answer, an item a worker from before saving again made (its marker names no photo) is found by an upgraded one', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const p = await photo('Wedding/a.jpg', root.ref);
    const stored = await provider().putFile(p.req);
    google.faults.add({ op: 'photosBatchCreate', action: 'commitThenReset' });
    await commit(provider(), [{ p, stored }]);
    const [made] = google.photos.tree().items;
    assert.equal(made!.description, `Saved from LiteGallery (transfer-1/${p.req.file.index})`);
    // The upgraded worker's own marker would also name the photo: the transfer and index are what it matches.
    const upgraded = { ...stored, pending: { ...(stored.pending as object), galleryKey: '858329:webs' } };
    assert.deepEqual(ids(await commit(provider(true), [{ p, stored: upgraded }], true)), [made!.id]);
    assert.equal(google.photos.tree().items.length, 1);
  });

  it('a full account stops the transfer; an unsupported format fails that photo with Photos\u2019 reason', async () => {
    const { google, provider } = await photos({ storageQuotaBytes: 30_000 });
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const text = await photo('Wedding/notes.txt', root.ref, { size: 100 });
    const fits = await photo('Wedding/a.jpg', root.ref, { size: 20_000 });
    const first = await commit(provider(), await Promise.all([text, fits].map(async (p) => ({ p, stored: await provider().putFile(p.req) }))));
    assert.ok(!first[0]!.ok && first[0]!.error.code === 'gphotos_media_refused' && /NOT_IMAGE/.test(first[0]!.error.message));
    assert.ok(first[1]!.ok);
    const tooMany = await photo('Wedding/b.jpg', root.ref, { size: 20_000 });
    const full = (await commit(provider(), [{ p: tooMany, stored: await provider().putFile(tooMany.req) }]))[0]!;
    assert.ok(!full.ok);
    assert.deepEqual([full.error.code, full.error.retryable, full.error.accountWide], ['gphotos_storage_full', false, true]);
    assert.equal(google.photos.tree().items.length, 1);
  });

  it('an upload older than its token lives is not committed but uploaded again', async () => {
    const { google, provider } = await photos({}, () => Date.now() - 24 * 3600_000);
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const p = await photo('Wedding/a.jpg', root.ref);
    const stale = (await commit(provider(), [{ p, stored: await provider().putFile(p.req) }]))[0]!;
    assert.ok(!stale.ok && stale.reupload);
    assert.deepEqual([stale.error.code, stale.error.retryable], ['gphotos_upload_expired', true]);
    assert.equal(google.stats.requests.photosBatchCreate ?? 0, 0, 'no batchCreate with a dead token');
  });

  it('a per-user rate limit is waited out, not counted against the photo', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding' });
    const p = await photo('Wedding/a.jpg', root.ref);
    google.faults.add({ op: 'photosRawUpload', action: { status: 429, retryAfter: 1 } });
    google.faults.add({ op: 'photosBatchCreate', action: { status: 429, retryAfter: 1 } });
    const [made] = await commit(provider(), [{ p, stored: await provider().putFile(p.req) }]);
    assert.ok(made!.ok);
    assert.equal(google.photos.tree().items.length, 1);
  });
});

describe('Google Photos provider: saving again', () => {
  const webs = '858329:webs';
  const originals = '858329:originals';

  /** Copies a photo into `albumId`, its marker naming `galleryKey` (none: as a worker from before saving again). */
  async function saved(provider: GooglePhotosProvider, name: string, albumId: string, galleryKey?: string): Promise<FileEntry> {
    const p = await photo(name, albumId);
    const stored = await provider.putFile({ ...p.req, ...(galleryKey ? { galleryKey } : {}) });
    assert.ok((await commit(provider, [{ p, stored }]))[0]!.ok);
    return p.req.file;
  }
  const photoOf = (f: FileEntry) => ({ sourceId: f.sourceId, crc: f.crc });

  it('finds the gallery album and the photos of the gallery in it and below it, by their markers: one listing, one search per album', async () => {
    const { google, provider } = await photos();
    const root = await provider().createRoot({ transferId: 'transfer-1', rootName: 'Wedding', galleryKey: webs });
    const ceremony = await provider().createFolder({ transferId: 'transfer-1', path: 'Ceremony', parentRef: root.ref, rootRef: root.ref });
    const rings = await provider().createFolder({ transferId: 'transfer-1', path: 'Ceremony/Rings', parentRef: ceremony, rootRef: root.ref });
    const other = await provider().createRoot({ transferId: 'transfer-2', rootName: 'Wedding 2019', galleryKey: '1:webs' });
    const top = await saved(provider(), 'Wedding/a.jpg', root.ref, webs);
    const deep = await saved(provider(), 'Wedding/Ceremony/Rings/b.jpg', rings, webs);
    // The other archive type has the same name, so the same albums; and a photo saved before saving again.
    const original = await saved(provider(), 'Wedding/Ceremony/c.jpg', ceremony, originals);
    await saved(provider(), 'Wedding/Ceremony/d.jpg', ceremony);
    await saved(provider(), 'Wedding 2019/e.jpg', other.ref, webs);

    const before = { ...google.stats.requests };
    const found = await provider(true).findEarlierCopy({ galleryKey: webs, rootName: 'Wedding' });
    assert.deepEqual(found, { root, files: [photoOf(top), photoOf(deep)] });
    const spent = (op: 'photosAlbumList' | 'photosMediaSearch') => (google.stats.requests[op] ?? 0) - (before[op] ?? 0);
    assert.deepEqual([spent('photosAlbumList'), spent('photosMediaSearch')], [1, 3], 'the listing, and Wedding, its Ceremony and Rings searched once each');
    assert.deepEqual(await provider(true).findEarlierCopy({ galleryKey: originals, rootName: 'Wedding' }), { root, files: [photoOf(original)] });
    assert.equal(await provider(true).findEarlierCopy({ galleryKey: '77:webs', rootName: 'Wedding' }), null, 'another gallery of the same name');
    assert.equal(await provider(true).findEarlierCopy({ galleryKey: webs }), null, 'without the name (a workflow from before), nothing to look for');

    // The user deletes an album in the app: its photos are not there any more for us (they are copied again).
    google.photos.userDeletesAlbum(rings);
    assert.deepEqual(await provider(true).findEarlierCopy({ galleryKey: webs, rootName: 'Wedding' }), { root, files: [photoOf(top)] });
    google.photos.userDeletesAlbum(root.ref);
    assert.equal(await provider(true).findEarlierCopy({ galleryKey: webs, rootName: 'Wedding' }), null);
  });
});
