import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchEarlierCopy } from '../../src/activities/earlier-copy';
import type { UnitFile } from '../../src/activities/types';
import { encodeSkipSet, inSkipSet, photoKey } from '../../src/shared/skip-set';
import type { FileEntry } from '../../src/source/listing';
import { Ledger } from '../../src/workflows/ledger';

/** Saving a gallery again (#15): the skip set the workflow carries, the matching the activity does, the books. */

const entry = (index: number, sourceId: number, crc: string, size = 100): FileEntry => ({ index, sourceId, folder: '', folderIndex: -1, name: `${index}.jpg`, url: 'u', size, crc });

test('a skip set holds exactly its indices, whatever the size', () => {
  for (const size of [0, 1, 5, 6, 7, 64, 1000]) {
    const members = new Set(Array.from({ length: size }, (_, i) => i).filter((i) => (i * 2654435761) % 7 < 3));
    const set = encodeSkipSet(members, size);
    assert.equal(set.length, Math.ceil(size / 6));
    for (let i = 0; i < size + 10; i++) assert.equal(inSkipSet(set, i), members.has(i), `size ${size}, index ${i}`);
  }
});

test('a skip set of 100,000 photos is small enough for a workflow payload (about 16.7 KB)', () => {
  const all = Array.from({ length: 100_000 }, (_, i) => i);
  const set = encodeSkipSet(all, all.length);
  assert.equal(set.length, 16_667);
  assert.ok(all.every((i) => inSkipSet(set, i)));
  assert.match(set, /^[A-Za-z0-9_-]+$/, 'plain JSON-safe characters');
});

test('a skip set refuses indices outside the listing and reads no foreign characters', () => {
  assert.throws(() => encodeSkipSet([6], 6), RangeError);
  assert.throws(() => encodeSkipSet([-1], 6), RangeError);
  assert.throws(() => inSkipSet('A=', 7), /not a skip set/);
});

test('matching: a photo is there when its id and CRC32 are; a changed photo (same id, new CRC32) is not', () => {
  const listing = { files: [entry(0, 11, '0000abcd', 100), entry(1, 12, 'deadbeef', 200), entry(2, 13, '12345678', 300), entry(3, 14, '00000001', 400)] };
  const earlier = {
    root: { ref: 'R', url: 'https://drive.google.com/drive/folders/R' },
    // 11 recorded in upper case without padding as a destination may hand it back; 12 changed at the source; 99 no longer in the gallery.
    files: [{ sourceId: 11, crc: 'ABCD' }, { sourceId: 12, crc: 'deadbeee' }, { sourceId: 13, crc: '12345678' }, { sourceId: 99, crc: '00000000' }],
  };
  const found = matchEarlierCopy(earlier, listing);
  assert.equal(found.root, earlier.root);
  assert.deepEqual([0, 1, 2, 3].filter((i) => inSkipSet(found.skip, i)), [0, 2]);
  assert.deepEqual([found.files, found.bytes], [2, 400]);
});

test('photo keys ignore the case and padding of the CRC32', () => {
  assert.equal(photoKey(5, 'ABC'), photoKey(5, '00000abc'));
  assert.notEqual(photoKey(5, '00000abc'), photoKey(6, '00000abc'));
});

const unitFile = (index: number): UnitFile => ({ ...entry(index, index, '00000000', 10), target: `t${index}`, parentId: 'R' });

test('the books: skipped photos are neither copied nor failed; all skipped is a success', () => {
  const ledger = new Ledger();
  ledger.skip(10);
  assert.equal(ledger.outcomeOf(undefined, 10), 'succeeded');
  assert.equal(ledger.progress({ state: 'succeeded', plan: undefined, root: undefined, startedAt: '', updatedAt: '', retryWindowEndsAt: null, error: null, callback: { delivered: null, error: null } }).filesSkipped, 10);
});

test('the books: a stop or a cancel after skipping counts only the photos neither copied nor skipped', () => {
  const stopped = new Ledger();
  stopped.skip(6);
  stopped.record({ index: 6, ok: true, bytes: 10, bytesSent: 10 }, unitFile(6));
  stopped.stop('the token was revoked');
  stopped.stopped([], 1, 10);
  assert.deepEqual(stopped.resume, { page: 1, files: 3 });
  assert.equal(stopped.outcomeOf('the token was revoked', 10), 'partially_failed');

  const cancelled = new Ledger();
  cancelled.skip(6);
  cancelled.cancelledRest(10);
  assert.equal(cancelled.counts.failed, 4);
});
