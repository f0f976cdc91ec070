import { createHash } from 'node:crypto';

/**
 * Names as Photos shows them. Photos has no folders and no nested albums: every gallery folder becomes an album
 * titled `<gallery> — a / b`, the gallery's own photos an album titled `<gallery>`. Our albums are found again by
 * their exact title, so a title is a pure function of the gallery name and the folder path.
 */

/** "The title is restricted to 500 characters" (counted in code points, as Photos does). */
export const ALBUM_TITLE_MAX = 500;
/** SimpleMediaItem.fileName "shouldn't be more than 255 characters". */
const FILE_NAME_MAX = 255;
const HASH_CHARS = 8;

/**
 * Cut to `max` code points (never inside a surrogate pair), ending in a hash of the whole: two long paths that
 * share their first 490 characters still get two albums.
 */
function fit(text: string, max: number, keepTail = ''): string {
  const points = [...text];
  if (points.length <= max) return text;
  const hash = createHash('sha1').update(text).digest('hex').slice(0, HASH_CHARS);
  const tail = `… ${hash}${keepTail}`;
  return points.slice(0, max - [...tail].length).join('') + tail;
}

export function rootTitle(galleryName: string): string {
  return fit(galleryName, ALBUM_TITLE_MAX);
}

/**
 * The title of the album for `path` (segments joined by "/") inside the album titled `parentTitle`: the gallery's
 * top folders follow " — ", deeper ones " / ". Built from the parent's stored title, so a truncated parent gives
 * its children the same stem.
 */
export function childTitle(parentTitle: string, path: string): string {
  const segments = path.split('/');
  const separator = segments.length === 1 ? ' — ' : ' / ';
  return fit(`${parentTitle}${separator}${segments[segments.length - 1]}`, ALBUM_TITLE_MAX);
}

/** The title of the album for `path`, from the gallery album's title down. */
export function titleOf(rootAlbumTitle: string, path: string): string {
  const segments = path.split('/');
  return segments.reduce((title, _, i) => childTitle(title, segments.slice(0, i + 1).join('/')), rootAlbumTitle);
}

/** The name the item gets: the photo's own name (its extension kept: Photos reads the format from it). */
export function itemFileName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(base)?.[0] ?? '';
  return fit(base, FILE_NAME_MAX, extension);
}

/**
 * Set as the item's description: after a lost batchCreate answer we find what was created by it, in our album.
 * It names the transfer and the photo's place in the listing, which no other photo shares.
 */
export function itemMarker(transferId: string, index: number): string {
  return `Saved from LiteGallery (${transferId}/${index})`;
}
