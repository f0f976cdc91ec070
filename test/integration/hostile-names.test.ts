import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertTree, driveNodes, SpecFile, TreeNode, yandexNodes } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * Names a real gallery can have that once lost or froze a transfer, on every destination: a photo named like an
 * album of the same folder (Yandex answered 409 and the album was deleted as a "wrong copy"), hundreds of photos
 * of one name (the planner was quadratic), and a backslash inside a name (it made an album the photographer
 * never made).
 */

const destinations: Array<{ label: string; cloudType: string; env: Record<string, string>; tree(stack: Stack): TreeNode[] }> = [
  { label: 'Google Drive', cloudType: 'google_drive', env: {}, tree: (stack) => driveNodes(stack.google) },
  { label: 'Yandex Disk (server-side fetch)', cloudType: 'yadisk', env: { YANDEX_SERVER_SIDE_FETCH: 'true' }, tree: (stack) => yandexNodes(stack.yandex) },
  { label: 'Yandex Disk (streaming)', cloudType: 'yadisk', env: { YANDEX_SERVER_SIDE_FETCH: 'false' }, tree: (stack) => yandexNodes(stack.yandex) },
];

const SAME_NAME = 300;

/** The gallery as listed, and where each photo must land. */
function hostileGallery(firstId: number): { listed: SpecFile[]; landed: SpecFile[] } {
  const listed: SpecFile[] = [
    { id: firstId, name: 'A/1.jpg', size: 2100 },
    { id: firstId + 1, name: 'A', size: 2200 },
    { id: firstId + 2, name: 'AC\\DC live/x.jpg', size: 2300 },
  ];
  for (let i = 0; i < SAME_NAME; i++) listed.push({ id: firstId + 3 + i, name: 'Same/IMG_0001.jpg', size: 1000 + i });
  const landed = listed.map((f, i) => {
    if (f.name === 'A') return { ...f, name: 'A (2)' };
    if (f.name.startsWith('AC')) return { ...f, name: 'AC\uff3cDC live/x.jpg' };
    if (i > 3) return { ...f, name: `Same/IMG_0001 (${i - 2}).jpg` };
    return f;
  });
  return { listed, landed };
}

for (const destination of destinations) {
  describe(`${destination.label}: hostile names`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ env: destination.env });
    });
    after(async () => stack?.close());

    test('a photo named like an album, 300 photos of one name, a backslash: every photo lands, no album is lost', async () => {
      const galleryId = String(900000 + Math.floor(Math.random() * 99999));
      const hash = randomBytes(16).toString('hex');
      const { listed, landed } = hostileGallery(Number(galleryId) * 10);
      stack.gallery.addGallery({ galleryId, hash, files: listed });
      const { transferId } = await stack.consent({
        archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`,
        gallery_name: 'Names',
        cloud_type: destination.cloudType,
      });
      assert.ok(transferId);
      const result = (await stack.result(transferId)) as { state: string; filesDone: number; filesFailed: number };
      assert.deepEqual({ state: result.state, done: result.filesDone, failed: result.filesFailed }, { state: 'succeeded', done: listed.length, failed: 0 });
      assertTree(destination.tree(stack), 'Names', landed);
    });
  });
}
