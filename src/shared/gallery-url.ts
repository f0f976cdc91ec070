/**
 * The gallery's archive URL and the listing URL derived from it (SPEC §2):
 *   https://arch-d.lite.gallery/g/api/stream/858329/f9d2…f3?mod=web
 *   → https://app.litegallery.io/g/api/stream/858329/f9d2…f3?json=true
 * The host is replaced by GALLERY_API_URL's origin and `mod=web` by `json=true`. Another `mod` value (an
 * "originals" archive may carry one) is kept, so the listing describes the same variant of the gallery. Nothing
 * else of the archive URL's query is passed on: the browser chose it, and each variant would reach the gallery
 * API and be a listing of its own in the workers' cache.
 */

const STREAM_PATH = /^\/g\/api\/stream\/(\d{1,18})\/([0-9a-f]{16,64})\/?$/i;

export interface ArchiveRef {
  galleryId: string;
  hash: string;
}

/** Returns null when the path does not have the `/g/api/stream/<id>/<hash>` shape. */
export function parseArchivePath(url: URL): ArchiveRef | null {
  const m = STREAM_PATH.exec(url.pathname);
  return m ? { galleryId: m[1]!, hash: m[2]!.toLowerCase() } : null;
}

export function listingUrlFor(archiveUrl: string, galleryApiUrl: string): string {
  const archive = new URL(archiveUrl);
  const ref = parseArchivePath(archive);
  if (!ref) throw new Error('archive_url does not have the /g/api/stream/<id>/<hash> shape');
  const listing = new URL(`/g/api/stream/${ref.galleryId}/${ref.hash}`, galleryApiUrl);
  const mod = archive.searchParams.get('mod');
  if (mod !== null && mod !== 'web') listing.searchParams.set('mod', mod);
  listing.searchParams.set('json', 'true');
  return listing.toString();
}
