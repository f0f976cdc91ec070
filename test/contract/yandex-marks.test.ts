import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createYandexEmulator, type YandexEmulator } from '../../src/emulators/yandex';
import type { DestinationProvider } from '../../src/providers/types';
import { emulatorEnv } from '../../src/sandbox/env';
import { randomId } from '../../src/shared/crypto';
import { YANDEX_CLIENT, YANDEX_REDIRECT_URI, yandexLogin } from '../helpers/yandex-login';
import { PhotoServer, providerFromRegistry, request, type Photo } from './destination-contract';

/**
 * Yandex Disk, server-side fetch: a photo is marked for saving again by a PATCH after Yandex's download ends. A
 * failure between the two (a crash, a lost heartbeat) must leave at worst a photo copied again by the next save,
 * never one counted as there that is not, or a wrong one.
 */

const photos = new PhotoServer();
let yandex: YandexEmulator;
let provider: DestinationProvider;
before(async () => {
  await photos.start();
  yandex = createYandexEmulator({ ...YANDEX_CLIENT, redirectUris: [YANDEX_REDIRECT_URI] });
  const { url } = await yandex.listen(0, '127.0.0.1');
  const env = emulatorEnv({
    googleUrl: 'http://127.0.0.1:9',
    galleryUrl: 'http://127.0.0.1:9',
    clientId: 'unused',
    clientSecret: 'unused',
    callbackSecret: 'contract-callback-secret',
    archiveHost: 'gallery.example',
    yandex: { url, ...YANDEX_CLIENT },
  });
  provider = providerFromRegistry('yadisk', { ...env, YANDEX_SERVER_SIDE_FETCH: 'true' }, await yandexLogin(url));
});
after(async () => {
  await yandex?.close();
  await photos.close();
});

/** One attempt at the photo, its checkpoint kept in `saved`. */
function put(transferId: string, parentId: string, photo: Photo, saved: { checkpoint?: unknown }, rootRef: string) {
  return provider.putFile({ ...request(transferId, parentId, photo, saved.checkpoint, (cp) => (saved.checkpoint = cp), new AbortController().signal), rootRef });
}

test('a photo fetched but not marked: the retry marks it; without its checkpoint it is not counted as there, and never replaced', async () => {
  const transferId = randomId();
  const galleryKey = '700001:originals';
  const root = await provider.createRoot({ transferId, rootName: 'Marks', galleryKey });
  const failMark = (name: string) => yandex.faults.add({ op: 'patchResource', when: (ctx) => ctx.path?.endsWith(`/${name}`) ?? false, action: { status: 400 } });

  // The fetch lands, its mark fails: the attempt fails, the copy is there unmarked and not counted.
  const a = await photos.add('a.jpg', 30_000);
  const savedA: { checkpoint?: unknown } = {};
  failMark('a.jpg');
  await assert.rejects(put(transferId, root.ref, a, savedA, root.ref), /HTTP 400/);
  assert.equal(yandex.faults.fired.length, 1, 'the mark failed');
  assert.ok(yandex.tree().some((n) => n.path === '/Marks/a.jpg'));
  assert.deepEqual((await provider.findEarlierCopy!({ galleryKey }))?.files, []);
  // The retry (its checkpoint says Yandex granted the path to this transfer) marks it: now it counts.
  await put(transferId, root.ref, a, savedA, root.ref);
  assert.deepEqual((await provider.findEarlierCopy!({ galleryKey }))?.files, [{ sourceId: a.file.sourceId, crc: a.file.crc }]);

  // The same, but the checkpoint is lost (a crash before the heartbeat): the next try finds a file it cannot tell
  // it wrote, checked by size only — accepted as before, but not marked, so a later save copies the photo again.
  const b = await photos.add('b.jpg', 30_000);
  failMark('b.jpg');
  await assert.rejects(put(transferId, root.ref, b, {}, root.ref), /HTTP 400/);
  assert.equal(yandex.faults.fired.length, 2, 'the mark failed');
  const before = yandex.fileContent('/Marks/b.jpg');
  await put(randomId(), root.ref, b, {}, root.ref);
  assert.deepEqual((await provider.findEarlierCopy!({ galleryKey }))?.files, [{ sourceId: a.file.sourceId, crc: a.file.crc }]);
  assert.deepEqual(yandex.fileContent('/Marks/b.jpg'), before, 'nothing replaced');
  assert.deepEqual(before, b.bytes);
});
