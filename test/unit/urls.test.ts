import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listingUrlFor, parseArchivePath } from '../../src/shared/gallery-url';
import { isHostAllowed, parseHostList } from '../../src/shared/hosts';

test('listing URL: host replaced, mod=web becomes json=true (SPEC §2 example)', () => {
  assert.equal(
    listingUrlFor('https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web', 'https://app.litegallery.io'),
    'https://app.litegallery.io/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?json=true',
  );
});

test('listing URL keeps another mod value and works with a port', () => {
  assert.equal(
    listingUrlFor('https://arch.litegallery.io/g/api/stream/1/abcdefabcdefabcd?mod=orig', 'http://127.0.0.1:9000'),
    'http://127.0.0.1:9000/g/api/stream/1/abcdefabcdefabcd?mod=orig&json=true',
  );
});

test('listing URL passes on only what the gallery API knows: json=true, and a mod other than web', () => {
  const base = 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3';
  const listing = 'https://app.litegallery.io/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?json=true';
  const variants = ['?mod=web&utm_source=mail', '?mod=web&json=false', '?a=1&a=2&mod=web', '?mod=web&cache=' + 'x'.repeat(500), '?mod=web#frag', ''];
  assert.deepEqual(
    variants.map((q) => listingUrlFor(`${base}${q}`, 'https://app.litegallery.io')),
    variants.map(() => listing),
    'one listing URL (one cache entry, one request shape) for every variant the browser may send',
  );
  assert.equal(listingUrlFor(`${base}?x=1&mod=orig&mod=web`, 'https://app.litegallery.io'), listing.replace('?', '?mod=orig&'));
});

test('archive path shape', () => {
  assert.deepEqual(parseArchivePath(new URL('https://a/g/api/stream/858329/F9D24B1DFB81A1BFA215CC008F46F3D3')), {
    galleryId: '858329',
    hash: 'f9d24b1dfb81a1bfa215cc008f46f3d3',
  });
  for (const bad of ['/g/api/stream/x/abcdefabcdefabcd', '/g/api/stream/1', '/g/api/stream/1/abc', '/other/1/abcdefabcdefabcd', '/g/api/stream/1/abcdefabcdefabcd/../x']) {
    assert.equal(parseArchivePath(new URL(`https://a${bad}`)), null, bad);
  }
});

test('host allowlist: exact hosts, ports and wildcards', () => {
  const rules = parseHostList('up-d.lite.gallery, *.litegallery.io ,127.0.0.1:9000');
  assert.ok(isHostAllowed(new URL('https://up-d.lite.gallery/x'), rules));
  assert.ok(isHostAllowed(new URL('https://UP-D.lite.gallery./x'), rules));
  assert.ok(!isHostAllowed(new URL('https://up-d.lite.gallery:8443/x'), rules));
  assert.ok(isHostAllowed(new URL('https://t.litegallery.io/x'), rules));
  assert.ok(!isHostAllowed(new URL('https://litegallery.io/x'), rules));
  assert.ok(!isHostAllowed(new URL('https://evil-litegallery.io/x'), rules));
  assert.ok(!isHostAllowed(new URL('https://litegallery.io.evil.com/x'), rules));
  assert.ok(isHostAllowed(new URL('http://127.0.0.1:9000/x'), rules));
  assert.ok(!isHostAllowed(new URL('http://127.0.0.1:9001/x'), rules));
  assert.ok(!isHostAllowed(new URL('http://localhost:9000/x'), rules));
  assert.throws(() => parseHostList('http://x.com'), /not a host/);
  assert.throws(() => parseHostList(' , '), /at least one/);
});
