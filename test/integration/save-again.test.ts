import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { GalleryFileSpec } from '../../src/emulators/gallery';
import { besideName } from '../../src/providers/yandex-disk/save-again';
import { assertTree, driveNodes, photosNodes, sampleFiles, yandexNodes, type SpecFile } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * Saving a gallery again (#15 part 4) on Google Drive, Yandex Disk (both modes) and Google Photos, the whole stack: the client saves a gallery, the photographer
 * adds photos and changes one, the client saves it again — the photos go into the same gallery folder, only the new
 * and the changed ones are copied, nothing is deleted or overwritten (on Yandex, where a path holds one file, the
 * changed photo goes beside the old one as "NAME (2).jpg"). A separate copy, and a gallery folder the user trashed,
 * give a new tree.
 */

const KiB = 1024;
const NAME = 'Saved twice';

interface Callback {
  status: string;
  files_total: number;
  files_uploaded: number;
  files_skipped: number;
  failed_photos: number;
  folder_url: string;
}

describe('Google Drive: saving a gallery again adds only what is new', () => {
  let stack: Stack;
  const galleryId = String(800000 + Math.floor(Math.random() * 100000));
  const hash = randomBytes(16).toString('hex');
  const archive_url = `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`;

  before(async () => {
    stack = await startStack({ env: { MULTIPART_MAX_BYTES: String(1024 * KiB), UPLOAD_CHUNK_BYTES: String(256 * KiB), FILES_PER_ACTIVITY: '4' } });
  });
  after(async () => stack?.close());

  const save = (extra: Record<string, boolean> = {}) => saveOnce(stack, { archive_url, gallery_name: NAME, cloud_type: 'google_drive', ...extra });

  const publish = (files: GalleryFileSpec[]) => stack.gallery.addGallery({ galleryId, hash, files });
  const galleryFolders = () => stack.google.tree().filter((n) => n.path === NAME);
  const folderId = (url: string) => url.slice(url.lastIndexOf('/') + 1);
  const filesUnder = (rootId: string) => {
    const nodes = stack.google.tree();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const inRoot = (n: (typeof nodes)[number]): boolean => n.parents.some((p) => p === rootId || (byId.has(p) && inRoot(byId.get(p)!)));
    return nodes.filter((n) => n.mimeType !== 'application/vnd.google-apps.folder' && inRoot(n));
  };

  test('added photos and a changed one go into the same tree; nothing new copies nothing; a trashed album is made again; a separate copy and a trashed gallery folder give a new tree', async (t) => {
    const first: SpecFile[] = sampleFiles({ small: 12, large: 1, largeSize: 1300 * KiB });
    publish(first);
    const run1 = await save();
    assert.deepEqual([run1.callback.status, run1.callback.files_uploaded, run1.callback.files_skipped], ['succeeded', first.length, 0]);
    assertTree(driveNodes(stack.google), NAME, first);
    const root = folderId(run1.callback.folder_url);

    const { second, changedBefore } = secondVersion(first);
    publish(second);

    const run2 = await save();
    assert.deepEqual(
      [run2.callback.status, run2.callback.files_total, run2.callback.files_uploaded, run2.callback.files_skipped, run2.callback.failed_photos],
      ['succeeded', second.length, 41, first.length - 1, 0],
      JSON.stringify(run2.callback),
    );
    assert.equal(folderId(run2.callback.folder_url), root, 'the same gallery folder');
    assert.equal(galleryFolders().length, 1, 'one tree');
    // Every photo once, the changed one twice (its old copy kept beside the new); every album folder once.
    assertTree(driveNodes(stack.google), NAME, [changedBefore, ...second]);

    const before = { ...stack.google.stats.requests };
    const run3 = await save();
    const requests = Object.fromEntries(Object.entries(stack.google.stats.requests).map(([op, n]) => [op, n! - (before[op as keyof typeof before] ?? 0)]).filter(([, n]) => n !== 0));
    assert.deepEqual([run3.callback.status, run3.callback.files_uploaded, run3.callback.files_skipped], ['succeeded', 0, second.length]);
    assertTree(driveNodes(stack.google), NAME, [changedBefore, ...second]);
    t.diagnostic(`save again with nothing new (${second.length} photos, ${new Set(second.map((f) => f.name.split('/').slice(0, -1).join('/'))).size} albums): ${run3.seconds.toFixed(1)} s from the consent to the end; the first save took ${run1.seconds.toFixed(1)} s, the second ${run2.seconds.toFixed(1)} s`);
    assert.ok(run3.seconds < 30, `nothing new takes seconds (${run3.seconds} s)`);
    // Nothing written; the gallery folder, its photos and its albums are each listed at once, not one search each.
    t.diagnostic(`Drive requests of that save: ${JSON.stringify(requests)}`);
    assert.deepEqual([requests.createMetadata, requests.multipart, requests.resumableInit], [undefined, undefined, undefined]);
    assert.ok((requests.list ?? 0) <= 3, `files.list ${requests.list} times`);

    // The user trashes an album: its photos are trashed with it, so the next save copies them again, into a new
    // album folder (the trashed one is not used).
    const newAlbum = stack.google.tree().find((n) => n.path === `${NAME}/New album`)!;
    stack.google.userTrashes(newAlbum.id);
    const inNewAlbum = second.filter((f) => f.name.startsWith('New album/')).length;
    const run3b = await save();
    assert.deepEqual([run3b.callback.files_uploaded, run3b.callback.files_skipped, folderId(run3b.callback.folder_url)], [inNewAlbum, second.length - inNewAlbum, root]);
    assertTree(driveNodes(stack.google), NAME, [changedBefore, ...second]);
    assert.notEqual(stack.google.tree().find((n) => n.path === `${NAME}/New album`)!.id, newAlbum.id);

    // The user trashes the gallery folder: the next save makes a new one and copies everything.
    stack.google.userTrashes(root);
    const run4 = await save();
    const root4 = folderId(run4.callback.folder_url);
    assert.notEqual(root4, root);
    assert.deepEqual([run4.callback.files_uploaded, run4.callback.files_skipped], [second.length, 0]);
    assertTree(driveNodes(stack.google), NAME, second);

    // A separate copy, asked for: a second tree beside the one there is.
    const run5 = await save({ separate_copy: true });
    const root5 = folderId(run5.callback.folder_url);
    assert.ok(root5 !== root4 && root5 !== root);
    assert.deepEqual([run5.callback.status, run5.callback.files_uploaded, run5.callback.files_skipped], ['succeeded', second.length, 0]);
    assert.equal(galleryFolders().length, 2, 'two trees');
    assert.equal(filesUnder(root4).length, second.length);
    assert.equal(filesUnder(root5).length, second.length);
  });
});


/** One save of the gallery as it is now, to its end; its callback and how long it took from the consent. */
async function saveOnce(stack: Stack, body: Partial<Record<string, string | boolean>>): Promise<{ callback: Callback; seconds: number }> {
  const started = Date.now();
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);
  await stack.result(transferId);
  const record = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
  return { callback: record.json as Callback, seconds: (Date.now() - started) / 1000 };
}

/**
 * The gallery's photos as they are published the second time: the photographer adds 40 (10 in a new album, 30 in
 * the albums there are) and retouches one (new bytes, new CRC32, same photo id).
 */
function secondVersion(first: SpecFile[]): { second: SpecFile[]; changedBefore: SpecFile; changed: SpecFile } {
  let id = Math.max(...first.map((f) => f.id)) + 1;
  const albums = ['Photos 1', 'Photos 2/Details', '', 'New album'];
  const added: SpecFile[] = Array.from({ length: 40 }, (_, i) => ({ id: id++, name: `${albums[i % 4] ? `${albums[i % 4]}/` : ''}ADD_${i}.jpg`, size: 2000 + i * 331 }));
  const changedBefore = first[1]!;
  const changed = { ...changedBefore, size: changedBefore.size + 17 };
  return { second: [...first.map((f) => (f.id === changed.id ? changed : f)), ...added], changedBefore, changed };
}

for (const serverSideFetch of [false, true]) {
  describe(`Yandex Disk (${serverSideFetch ? 'server-side fetch' : 'streaming'}): saving a gallery again adds only what is new`, () => {
    let stack: Stack;
    const galleryId = String(900000 + Math.floor(Math.random() * 90000));
    const hash = randomBytes(16).toString('hex');
    const archive_url = `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`;

    before(async () => {
      stack = await startStack({ env: { FILES_PER_ACTIVITY: '4', YANDEX_SERVER_SIDE_FETCH: String(serverSideFetch) } });
    });
    after(async () => stack?.close());

    const save = (extra: Record<string, boolean> = {}) => saveOnce(stack, { archive_url, gallery_name: NAME, cloud_type: 'yadisk', ...extra });

    const publish = (files: GalleryFileSpec[]) => stack.gallery.addGallery({ galleryId, hash, files });
    /** "/Saved twice" from the folder URL of the callback. */
    const pathOf = (url: string) => decodeURI(url.slice('https://disk.yandex.ru/client/disk'.length));
    /** A gallery folder's identity: a path is given out again once the user trashed the folder that had it. */
    const identityOf = (path: string) => stack.yandex.tree().find((n) => n.path === path)?.customProperties?.cloud_archive_transfer;
    const galleryFolders = () => stack.yandex.tree().filter((n) => n.type === 'dir' && n.path.startsWith(`/${NAME}`) && !n.path.slice(1).includes('/'));
    const filesUnder = (path: string) => stack.yandex.tree().filter((n) => n.type === 'file' && n.path.startsWith(`${path}/`));

    test('added photos and a changed one go into the same tree (the changed one beside the old); nothing new copies nothing; a trashed album is made again; a separate copy and a trashed gallery folder give a new tree', async (t) => {
      const first: SpecFile[] = sampleFiles({ small: 12, large: 1, largeSize: 1300 * KiB });
      publish(first);
      const run1 = await save();
      assert.deepEqual([run1.callback.status, run1.callback.files_uploaded, run1.callback.files_skipped], ['succeeded', first.length, 0]);
      assertTree(yandexNodes(stack.yandex), NAME, first);
      const root = pathOf(run1.callback.folder_url);
      const identity = identityOf(root);
      assert.ok(identity);

      const { second, changedBefore, changed } = secondVersion(first);
      publish(second);
      const run2 = await save();
      assert.deepEqual(
        [run2.callback.status, run2.callback.files_total, run2.callback.files_uploaded, run2.callback.files_skipped, run2.callback.failed_photos],
        ['succeeded', second.length, 41, first.length - 1, 0],
        JSON.stringify(run2.callback),
      );
      assert.deepEqual([pathOf(run2.callback.folder_url), identityOf(root)], [root, identity], 'the same gallery folder');
      assert.equal(galleryFolders().length, 1, 'one tree');
      // Every photo once, every album once; the changed photo beside its old copy, which is kept as it was.
      const besideOld = { ...changed, name: besideName(`/${changed.name}`, 2).slice(1) };
      const stored = [changedBefore, ...second.map((f) => (f === changed ? besideOld : f))];
      assertTree(yandexNodes(stack.yandex), NAME, stored);

      const writesBefore = stack.yandex.stats.writes;
      const requestsBefore = { ...stack.yandex.stats.requests };
      const run3 = await save();
      const requests = Object.fromEntries(Object.entries(stack.yandex.stats.requests).map(([op, n]) => [op, n! - (requestsBefore[op as keyof typeof requestsBefore] ?? 0)]).filter(([, n]) => n !== 0));
      assert.deepEqual([run3.callback.status, run3.callback.files_uploaded, run3.callback.files_skipped], ['succeeded', 0, second.length]);
      assertTree(yandexNodes(stack.yandex), NAME, stored);
      t.diagnostic(`save again with nothing new (${second.length} photos, ${new Set(second.map((f) => f.name.split('/').slice(0, -1).join('/'))).size} albums): ${run3.seconds.toFixed(1)} s from the consent to the end; the first save took ${run1.seconds.toFixed(1)} s, the second ${run2.seconds.toFixed(1)} s`);
      assert.ok(run3.seconds < 30, `nothing new takes seconds (${run3.seconds} s)`);
      // Nothing written; the top of the Disk and each folder of the gallery listed once (one page each), each album read once.
      t.diagnostic(`Yandex requests of that save: ${JSON.stringify(requests)}`);
      assert.equal(stack.yandex.stats.writes - writesBefore, 0, 'nothing written to the Disk');

      // The user deletes an album (to the trash): the next save makes it again and copies its photos again.
      stack.yandex.userTrashes(`${root}/New album`);
      const inNewAlbum = second.filter((f) => f.name.startsWith('New album/')).length;
      const run3b = await save();
      assert.deepEqual([run3b.callback.files_uploaded, run3b.callback.files_skipped, pathOf(run3b.callback.folder_url)], [inNewAlbum, second.length - inNewAlbum, root]);
      assertTree(yandexNodes(stack.yandex), NAME, stored);

      // The user deletes the gallery folder: the next save makes a new one (the name is free again) and copies everything.
      stack.yandex.userTrashes(root);
      const run4 = await save();
      const root4 = pathOf(run4.callback.folder_url);
      assert.notEqual(identityOf(root4), identity);
      assert.deepEqual([run4.callback.files_uploaded, run4.callback.files_skipped], [second.length, 0]);
      assertTree(yandexNodes(stack.yandex), NAME, second);

      // A separate copy, asked for: a second tree beside the one there is.
      const run5 = await save({ separate_copy: true });
      const root5 = pathOf(run5.callback.folder_url);
      assert.notEqual(root5, root4);
      assert.deepEqual([run5.callback.status, run5.callback.files_uploaded, run5.callback.files_skipped], ['succeeded', second.length, 0]);
      assert.equal(galleryFolders().length, 2, 'two trees');
      assert.equal(filesUnder(root4).length, second.length);
      assert.equal(filesUnder(root5).length, second.length);
    });
  });
}

describe('Google Photos: saving a gallery again adds only what is new', () => {
  let stack: Stack;
  const galleryId = String(700000 + Math.floor(Math.random() * 90000));
  const hash = randomBytes(16).toString('hex');
  const archive_url = `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`;

  before(async () => {
    stack = await startStack({ env: { FILES_PER_ACTIVITY: '4' } });
  });
  after(async () => stack?.close());

  const save = () => saveOnce(stack, { archive_url, gallery_name: NAME, cloud_type: 'google_photos' });
  const publish = (files: GalleryFileSpec[]) => stack.gallery.addGallery({ galleryId, hash, files });
  const albumsTitled = (title: string) => stack.google.photos.tree().albums.filter((a) => a.title === title);

  test('added photos and a changed one go into the same albums (the changed one beside the old); nothing new copies nothing; a deleted album is made again', async (t) => {
    const first: SpecFile[] = sampleFiles({ small: 12, large: 1, largeSize: 1300 * KiB });
    publish(first);
    const run1 = await save();
    assert.deepEqual([run1.callback.status, run1.callback.files_uploaded, run1.callback.files_skipped], ['succeeded', first.length, 0]);
    assertTree(photosNodes(stack.google), NAME, first);

    const { second, changedBefore } = secondVersion(first);
    publish(second);
    const run2 = await save();
    assert.deepEqual(
      [run2.callback.status, run2.callback.files_total, run2.callback.files_uploaded, run2.callback.files_skipped, run2.callback.failed_photos],
      ['succeeded', second.length, 41, first.length - 1, 0],
      JSON.stringify(run2.callback),
    );
    assert.equal(run2.callback.folder_url, run1.callback.folder_url, 'the same gallery album');
    assert.equal(albumsTitled(NAME).length, 1, 'one gallery album');
    // Every photo once, the changed one twice (a new item beside the old one, in the same album); every album once.
    assertTree(photosNodes(stack.google), NAME, [changedBefore, ...second]);

    const before = { ...stack.google.stats.requests };
    const run3 = await save();
    const requests = Object.fromEntries(Object.entries(stack.google.stats.requests).map(([op, n]) => [op, n! - (before[op as keyof typeof before] ?? 0)]).filter(([, n]) => n !== 0));
    assert.deepEqual([run3.callback.status, run3.callback.files_uploaded, run3.callback.files_skipped], ['succeeded', 0, second.length]);
    assertTree(photosNodes(stack.google), NAME, [changedBefore, ...second]);
    const albums = new Set(second.map((f) => f.name.split('/').slice(0, -1).join('/'))).size;
    t.diagnostic(`save again with nothing new (${second.length} photos, ${albums} albums): ${run3.seconds.toFixed(1)} s from the consent to the end; the first save took ${run1.seconds.toFixed(1)} s, the second ${run2.seconds.toFixed(1)} s`);
    t.diagnostic(`Photos requests of that save: ${JSON.stringify(requests)}`);
    assert.ok(run3.seconds < 30, `nothing new takes seconds (${run3.seconds} s)`);
    // Nothing written; our albums listed once, each album of the gallery searched once (one page each).
    assert.deepEqual([requests.photosRawUpload, requests.photosUploadStart, requests.photosBatchCreate, requests.photosAlbumCreate], [undefined, undefined, undefined, undefined]);
    assert.deepEqual([requests.photosAlbumList, requests.photosMediaSearch], [1, albums]);

    // The user deletes an album in the Photos app (its photos stay in the library, in no album): the next save makes
    // it again and copies its photos into it.
    const newAlbum = albumsTitled(`${NAME} — New album`)[0]!;
    stack.google.photos.userDeletesAlbum(newAlbum.id);
    const inNewAlbum = second.filter((f) => f.name.startsWith('New album/')).length;
    const run4 = await save();
    assert.deepEqual([run4.callback.files_uploaded, run4.callback.files_skipped, run4.callback.folder_url], [inNewAlbum, second.length - inNewAlbum, run1.callback.folder_url]);
    assertTree(photosNodes(stack.google), NAME, [changedBefore, ...second]);
    assert.notEqual(albumsTitled(`${NAME} — New album`)[0]!.id, newAlbum.id);
  });
});
