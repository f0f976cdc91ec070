import { createHash } from 'node:crypto';
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

test('the SPEC example entry becomes one file in album "Photos 1"', async () => {
  const listing = await parseListing(JSON.stringify([entry()]), hosts);
  assert.deepEqual(listing.files, [
    { index: 0, sourceId: 49851973, folder: 'Photos 1', folderIndex: 0, name: 'Test_011.jpg', url: entry().url, size: 268756, crc: 'e7b057b2' },
  ]);
  assert.deepEqual(listing.folders, ['Photos 1']);
  assert.equal(listing.bytesTotal, 268756);
  assert.equal(listing.rejected.length, 0);
});

test('an object with a files array is accepted; parents come before children', async () => {
  const listing = await parseListing(JSON.stringify({ files: [entry({ name: 'A/B/C/x.jpg' }), entry({ id: 2, name: 'A/y.jpg' })] }), hosts);
  assert.deepEqual(listing.folders, ['A', 'A/B', 'A/B/C']);
});

test('folders are in creation order (pre-order, by first use); each file names its folder by index', async () => {
  const names = ['Zoe/1.jpg', 'Adam/Group/2.jpg', 'top.jpg', 'Zoe/Extra/3.jpg', 'Adam/4.jpg'];
  const listing = await parseListing(JSON.stringify(names.map((name, i) => entry({ id: i + 1, name }))), hosts);
  assert.deepEqual(listing.folders, ['Zoe', 'Zoe/Extra', 'Adam', 'Adam/Group']);
  assert.deepEqual(listing.files.map((f) => [f.folder, f.folderIndex]), [['Zoe', 0], ['Adam/Group', 3], ['', -1], ['Zoe/Extra', 1], ['Adam', 2]]);
});

test('bad entries are rejected with a reason naming the problem, the rest is kept', async () => {
  const listing = await parseListing(
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

test('duplicates: same photo at the same place is copied once; same name from different photos is numbered', async () => {
  const listing = await parseListing(
    JSON.stringify([entry({ id: 1, name: 'a.jpg' }), entry({ id: 1, name: 'a.jpg' }), entry({ id: 2, name: 'a.jpg' })]),
    hosts,
  );
  assert.deepEqual(listing.files.map((f) => f.name), ['a.jpg', 'a (2).jpg']);
});

test('fingerprint is stable for the same listing and changes with it', async () => {
  const a = (await parseListing(JSON.stringify([entry()]), hosts)).fingerprint;
  assert.equal((await parseListing(JSON.stringify([entry()]), hosts)).fingerprint, a);
  assert.notEqual((await parseListing(JSON.stringify([entry({ filesize: 1 })]), hosts)).fingerprint, a);
  // The same hash as one JSON array of the rows (what plans recorded before planning yielded to the event loop).
  const listing = await parseListing(JSON.stringify([entry(), entry({ id: 2 })]), hosts);
  const rows = listing.files.map((f) => [f.sourceId, f.folder, f.name, f.url, f.size, f.crc]);
  assert.equal(listing.fingerprint, createHash('sha256').update(JSON.stringify(rows)).digest('hex'));
});

test('not JSON, or not a list, is a listing error', async () => {
  await assert.rejects(parseListing('<html>', hosts), /not valid JSON/);
  await assert.rejects(parseListing('{"a":1}', hosts), /not a JSON array/);
});

test('a photo named like an album of the same folder gives way: "A (2)", before anything is written', async () => {
  const listing = await parseListing(
    JSON.stringify([entry({ id: 1, name: 'A' }), entry({ id: 2, name: 'A/1.jpg' }), entry({ id: 3, name: 'a' }), entry({ id: 4, name: 'A/B/x.jpg' }), entry({ id: 5, name: 'A/b' })]),
    hosts,
  );
  assert.deepEqual(
    listing.files.map((f) => [f.folder, f.name]),
    [['', 'A (2)'], ['A', '1.jpg'], ['', 'a (3)'], ['A/B', 'x.jpg'], ['A', 'b (2)']],
  );
  assert.deepEqual(listing.folders, ['A', 'A/B']);
});

test('a backslash is part of a name, not an album separator', async () => {
  const listing = await parseListing(JSON.stringify([entry({ name: 'AC\\DC live/x.jpg' })]), hosts);
  assert.deepEqual(listing.folders, ['AC\uff3cDC live']);
  assert.equal(listing.files[0]!.folder, 'AC\uff3cDC live');
});

test('100,000 photos of one name plan in linear time and never hold the event loop long', async () => {
  const count = 100_000;
  const body = JSON.stringify(
    Array.from({ length: count }, (_, i) => entry({ id: i + 1, name: 'Album/IMG_0001.jpg', url: `https://up-d.lite.gallery/p/${i}.jpg` })),
  );
  // Other work gets turns while it plans: count the event-loop turns a setImmediate chain gets (a count of
  // yields, not a duration, so a loaded machine cannot fail it).
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  const listing = await parseListing(body, hosts);
  const took = performance.now() - started;
  ticking = false;
  assert.equal(listing.files.length, count);
  assert.equal(new Set(listing.files.map((f) => f.name.toLowerCase())).size, count);
  assert.equal(listing.files[count - 1]!.name, `IMG_0001 (${count}).jpg`);
  assert.ok(turns >= count / 2000, `other work got only ${turns} turns while ${count} photos were planned`);
  // A hang guard only (the quadratic planner took minutes for a tenth of this); speed is the bench's to show.
  assert.ok(took < 60_000, `planning took ${took.toFixed(0)} ms`);
  process.stdout.write(`# planned ${count} same-named photos in ${took.toFixed(0)} ms, yielding ${turns} times\n`);
});
