import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBelow, itemMarker, markerKey, parseItemMarker, rootTitle, titleOf } from '../../src/providers/google-photos/titles';

/** Google Photos, saving again: what an item's description says, and which albums are a gallery's. */

const photo = { galleryKey: '858329:webs', sourceId: 123456789, crc: '0a1b2c3d' };

test('an item marker names the upload and the photo of the gallery, and reads back as written', () => {
  const description = itemMarker('Qx3_-k9TzA1pL0nB7cD2eF', 41, photo);
  assert.equal(description, 'Saved from LiteGallery (Qx3_-k9TzA1pL0nB7cD2eF/41; 858329:webs 123456789 0a1b2c3d)');
  assert.ok([...description].length <= 100, 'short: the user sees it under the photo');
  assert.deepEqual(parseItemMarker(description), { transferId: 'Qx3_-k9TzA1pL0nB7cD2eF', index: 41, photo });
});

test('a marker from before saving again (no photo) is still read: a lost answer from then is recovered by the same key', () => {
  const old = 'Saved from LiteGallery (Qx3_-k9TzA1pL0nB7cD2eF/7)';
  assert.equal(itemMarker('Qx3_-k9TzA1pL0nB7cD2eF', 7), old);
  const parsed = parseItemMarker(old);
  assert.deepEqual(parsed, { transferId: 'Qx3_-k9TzA1pL0nB7cD2eF', index: 7 });
  assert.equal(markerKey(parsed!.transferId, parsed!.index), markerKey('Qx3_-k9TzA1pL0nB7cD2eF', 7));
  const now = parseItemMarker(itemMarker('Qx3_-k9TzA1pL0nB7cD2eF', 7, photo))!;
  assert.equal(markerKey(now.transferId, now.index), markerKey(parsed!.transferId, parsed!.index));
});

test('a description that is not ours, or that the user edited, marks nothing', () => {
  for (const description of [
    '',
    'Our trip',
    'Saved from LiteGallery (t1/7) — the best one',
    'Saved from LiteGallery (t1/x)',
    'Saved from LiteGallery (t1/7; 858329:webs 12 0a1b2c3d',
    'Saved from LiteGallery (t/1/7)',
  ]) {
    assert.equal(parseItemMarker(description), null, description);
  }
  // A mangled photo part: the upload is still recognised, the photo is not claimed.
  assert.deepEqual(parseItemMarker('Saved from LiteGallery (t1/7; 858329:webs 99999999999999999999 0a1b2c3d)'), { transferId: 't1', index: 7 });
});

test("a gallery's albums are told by their titles, also where long titles were cut", () => {
  assert.ok(isBelow('Wedding', titleOf('Wedding', 'Ceremony')));
  assert.ok(isBelow('Wedding', titleOf('Wedding', 'Ceremony/Rings/Close-ups')));
  assert.ok(!isBelow('Wedding', 'Wedding'), 'the gallery album itself is not below it');
  assert.ok(!isBelow('Wedding', 'Wedding 2019'));
  assert.ok(!isBelow('Wedding', 'Our Wedding — Ceremony'));
  for (const length of [480, 487, 488, 495, 600]) {
    const root = rootTitle('é'.repeat(length));
    for (const path of ['a', `${'b'.repeat(40)}/c`, 'x'.repeat(30)]) assert.ok(isBelow(root, titleOf(root, path)), `${length} / ${path}`);
  }
});
