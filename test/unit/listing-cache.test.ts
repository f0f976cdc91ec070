import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListingCache } from '../../src/activities/listing';
import { parseConfig } from '../../src/config';
import { createGalleryEmulator, type GalleryEmulator } from '../../src/emulators/gallery';
import { listingUrlFor } from '../../src/shared/gallery-url';
import { sourceHttpFor, type SourceHttp } from '../../src/source/http';

/**
 * The workers' listing cache against the gallery emulator: bounded by the bytes of the listings it holds
 * (LISTING_CACHE_BYTES), least recently used first out — not by a count, which lets a few large listings exhaust
 * the worker's memory — and keyed by a listing URL the browser cannot vary.
 */

const HASH = (n: number) => n.toString(16).padStart(32, '0');
let gallery: GalleryEmulator;
let galleryUrl: string;
let http: SourceHttp;
let listingBytes: number;
let largeListingBytes: number;

before(async () => {
  gallery = createGalleryEmulator();
  galleryUrl = (await gallery.listen()).url;
  // Galleries 1..4 have listings of the same size; gallery 9's is four times as large.
  for (const id of [1, 2, 3, 4, 9]) {
    const count = id === 9 ? 40 : 10;
    gallery.addGallery({ galleryId: String(id), hash: HASH(id), files: Array.from({ length: count }, (_, i) => ({ id: id * 100 + i + 1, name: `A/p${i}.jpg`, size: 10 })) });
  }
  const size = async (id: number) => Buffer.byteLength(await (await fetch(`${galleryUrl}/g/api/stream/${id}/${HASH(id)}?json=true`)).text());
  listingBytes = await size(1);
  largeListingBytes = await size(9);
});
after(async () => {
  await http?.close();
  await gallery?.close();
});

function cacheWithBudget(bytes: number): ListingCache {
  const config = parseConfig({
    GOOGLE_CLIENT_ID: 'id',
    GOOGLE_CLIENT_SECRET: 'secret',
    COMPLETION_CALLBACK_URL: `${galleryUrl}/api/cloud_archive/callback`,
    CALLBACK_SECRET: 'c'.repeat(16),
    SECRET_KEY: 's'.repeat(32),
    GALLERY_API_URL: galleryUrl,
    SOURCE_URL_HOSTS: new URL(galleryUrl).host,
    ALLOW_PRIVATE_SOURCE_ADDRESSES: 'true',
    ALLOW_HTTP_SOURCES: 'true',
    LISTING_CACHE_BYTES: String(bytes),
  });
  http ??= sourceHttpFor(config);
  return new ListingCache(config, http);
}

const listingUrl = (id: number, query = '?mod=web') => listingUrlFor(`https://arch-d.lite.gallery/g/api/stream/${id}/${HASH(id)}${query}`, galleryUrl);

/** Gets each listing in turn; returns which of them had to be fetched from the gallery. */
async function fetchedFor(cache: ListingCache, ids: number[]): Promise<number[]> {
  const fetched: number[] = [];
  for (const id of ids) {
    const before = gallery.stats.listingRequests;
    await cache.get(listingUrl(id));
    if (gallery.stats.listingRequests > before) fetched.push(id);
  }
  return fetched;
}

test('the cache holds listings up to its byte budget, dropping the least recently used', async () => {
  const cache = cacheWithBudget(Math.floor(2.5 * listingBytes)); // room for two
  assert.deepEqual(await fetchedFor(cache, [1, 2, 1]), [1, 2], 'both kept while they fit');
  assert.deepEqual(await fetchedFor(cache, [3]), [3]);
  assert.deepEqual(await fetchedFor(cache, [1, 3, 2]), [2], 'for 3, the least recently used (2) went and 1 stayed');
  assert.deepEqual(await fetchedFor(cache, [3, 2, 4, 2, 3]), [4, 3], 'for 4, 3 went');
});

test('a listing larger than the whole budget is served but not kept, and pushes nothing out', async () => {
  const budget = Math.floor(2.5 * listingBytes);
  assert.ok(largeListingBytes > budget, 'gallery 9’s listing is larger than the budget');
  const cache = cacheWithBudget(budget);
  assert.deepEqual(await fetchedFor(cache, [1, 9, 9, 1]), [1, 9, 9]);
  assert.equal((await cache.get(listingUrl(9))).files.length, 40);
});

test('query parameters the browser added to archive_url do not make listings of their own', async () => {
  const cache = cacheWithBudget(10 * listingBytes);
  const before = gallery.stats.listingRequests;
  for (const query of ['?mod=web', '?mod=web&utm_source=mail', '?mod=web&x=1', '?x=2&mod=web']) await cache.get(listingUrl(4, query));
  assert.equal(gallery.stats.listingRequests - before, 1, 'one listing fetched for all four archive URLs');
});
