import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { photosNodes, assertTree, type SpecFile } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * Google Photos counts every request against the project's 10,000 a day: a photo should cost its upload and a
 * fiftieth of a batchCreate. Measured on a whole transfer with the default unit size and concurrency, where units
 * of the same album finish at different times and their items must still travel together.
 */

const PHOTOS = 300;

describe('Google Photos: requests per photo', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.close());

  test(`${PHOTOS} photos in three albums cost at most 1.05 requests each (uploads and batchCreate)`, async () => {
    const files: SpecFile[] = Array.from({ length: PHOTOS }, (_, i) => ({ id: 90_000 + i, name: `Album ${i % 3}/IMG_${String(i).padStart(4, '0')}.jpg`, size: 1500 + i }));
    const galleryId = '990001';
    const hash = randomBytes(16).toString('hex');
    stack.gallery.addGallery({ galleryId, hash, files });
    const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: 'Counted', cloud_type: 'google_photos' });
    assert.equal(((await stack.result(transferId!)) as { state: string }).state, 'succeeded');
    assertTree(photosNodes(stack.google), 'Counted', files);

    const requests = stack.google.stats.requests;
    const perPhoto = ((requests.photosRawUpload ?? 0) + (requests.photosBatchCreate ?? 0)) / PHOTOS;
    const all = Object.entries(requests).filter(([op]) => op.startsWith('photos')).reduce((sum, [, n]) => sum + (n ?? 0), 0);
    process.stdout.write(`# ${requests.photosBatchCreate} batchCreate for ${PHOTOS} photos: ${perPhoto.toFixed(3)} requests per photo; ${(all / PHOTOS).toFixed(3)} with albums and lookups\n`);
    assert.equal(requests.photosRawUpload, PHOTOS, 'each photo uploaded once');
    assert.ok(perPhoto <= 1.05, `${perPhoto} requests per photo (${requests.photosBatchCreate} batchCreate)`);
  });
});
