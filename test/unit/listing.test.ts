import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostList } from '../../src/shared/hosts';
import { parseListing } from '../../src/source/listing';

const hosts = parseHostList('up-d.lite.gallery');
const entry = (over: Record<string, unknown> = {}) => ({
  crc: 'e7b057b2',
  filesize: 268756,
  created_at: '2024-08-17 12:54:32 +0300',
  name: 'Photos 1/Test_011.jpg',
  url: 'https://up-d.lite.gallery/litepr-m/uploads/image/image/49851973/Test_011.jpg',
  id: 49851973,
  ...over,
});

test('the SPEC example entry becomes one file in album "Photos 1"', () => {
  const listing = parseListing(JSON.stringify([entry()]), hosts);
  assert.deepEqual(listing.files, [
    { index: 0, sourceId: 49851973, folder: 'Photos 1', name: 'Test_011.jpg', url: entry().url, size: 268756, crc: 'e7b057b2' },
  ]);
  assert.deepEqual(listing.folders, ['Photos 1']);
  assert.equal(listing.bytesTotal, 268756);
  assert.equal(listing.rejected.length, 0);
});

test('an object with a files array is accepted; parents come before children', () => {
  const listing = parseListing(JSON.stringify({ files: [entry({ name: 'A/B/C/x.jpg' }), entry({ id: 2, name: 'A/y.jpg' })] }), hosts);
  assert.deepEqual(listing.folders, ['A', 'A/B', 'A/B/C']);
});

test('bad entries are rejected with a reason naming the problem, the rest is kept', () => {
  const listing = parseListing(
    JSON.stringify([
      entry({ id: 1 }),
      entry({ id: 2, url: 'http://127.0.0.1/x.jpg' }),
      entry({ id: 3, url: 'http://169.254.169.254/latest/meta-data' }),
      entry({ id: 4, name: '../../x.jpg' }),
      entry({ id: 5, crc: 'zz' }),
      entry({ id: 6, filesize: -1 }),
      entry({ id: 7, url: 'javascript:alert(1)' }),
      { nonsense: true },
      entry({ id: 8, filesize: '12' }),
    ]),
    hosts,
  );
  assert.equal(listing.files.length, 1);
  const reasons = listing.rejected.map((r) => r.reason);
  assert.match(reasons[0]!, /127\.0\.0\.1.*SOURCE_URL_HOSTS/);
  assert.match(reasons[1]!, /169\.254\.169\.254/);
  assert.match(reasons[2]!, /\.\./);
  assert.match(reasons[3]!, /crc/);
  assert.match(reasons[4]!, /filesize/);
  assert.match(reasons[5]!, /scheme javascript:/);
  assert.match(reasons[6]!, /field "id"/);
  assert.match(reasons[7]!, /filesize/);
});

test('duplicates: same photo at the same place is copied once; same name from different photos is numbered', () => {
  const listing = parseListing(
    JSON.stringify([entry({ id: 1, name: 'a.jpg' }), entry({ id: 1, name: 'a.jpg' }), entry({ id: 2, name: 'a.jpg' })]),
    hosts,
  );
  assert.deepEqual(listing.files.map((f) => f.name), ['a.jpg', 'a (2).jpg']);
});

test('fingerprint is stable for the same listing and changes with it', () => {
  const a = parseListing(JSON.stringify([entry()]), hosts).fingerprint;
  assert.equal(parseListing(JSON.stringify([entry()]), hosts).fingerprint, a);
  assert.notEqual(parseListing(JSON.stringify([entry({ filesize: 1 })]), hosts).fingerprint, a);
});

test('not JSON, or not a list, is a listing error', () => {
  assert.throws(() => parseListing('<html>', hosts), /not valid JSON/);
  assert.throws(() => parseListing('{"a":1}', hosts), /not a JSON array/);
});
