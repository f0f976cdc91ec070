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

/** How much of a title fit keeps when it cuts one to ALBUM_TITLE_MAX ("… " and the hash follow). */
const KEPT_WHEN_CUT = ALBUM_TITLE_MAX - 2 - HASH_CHARS;

/**
 * Whether `title` is the title of an album below the gallery album titled `rootAlbumTitle` (any depth): those start
 * with `<root> — `, or, where a title was cut, with as much of that as a cut title keeps. A gallery whose name
 * starts so may match too: what is in its albums tells them apart.
 */
export function isBelow(rootAlbumTitle: string, title: string): boolean {
  const stem = [...`${rootAlbumTitle} — `].slice(0, KEPT_WHEN_CUT).join('');
  return title !== rootAlbumTitle && title.startsWith(stem);
}

/** The name the item gets: the photo's own name (its extension kept: Photos reads the format from it). */
export function itemFileName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(base)?.[0] ?? '';
  return fit(base, FILE_NAME_MAX, extension);
}

/** Which photo of which gallery an item is: what a later save of the gallery looks for (saving again). */
export interface PhotoMark {
  /** Gallery id and archive type, as RootRequest.galleryKey. */
  galleryKey: string;
  sourceId: number;
  crc: string;
}

export interface ItemMarker {
  transferId: string;
  index: number;
  /** Absent on items made before saving again (their descriptions name only the transfer and the index). */
  photo?: PhotoMark;
}

/**
 * Set as the item's description, which the user sees (at most 1,000 characters; ours take about 80): after a lost
 * batchCreate answer we find what was created by it, in our album, by the transfer and the photo's place in the
 * listing, which no other photo shares; a later save of the gallery finds the photo by the rest.
 */
export function itemMarker(transferId: string, index: number, photo?: PhotoMark): string {
  const mark = photo ? `; ${photo.galleryKey} ${photo.sourceId} ${photo.crc}` : '';
  return `Saved from LiteGallery (${transferId}/${index}${mark})`;
}

const MARKER = /^Saved from LiteGallery \(([^/\s]+)\/(\d+)(?:; (\S+) (\d+) ([0-9a-f]{1,8}))?\)$/;

/** An item description read back: ours in either form, or null (the user may have changed it). */
export function parseItemMarker(description: string): ItemMarker | null {
  const m = MARKER.exec(description);
  if (!m) return null;
  const [, transferId, index, galleryKey, sourceId, crc] = m;
  const marker: ItemMarker = { transferId: transferId!, index: Number(index) };
  if (galleryKey === undefined || !Number.isSafeInteger(Number(sourceId))) return marker;
  return { ...marker, photo: { galleryKey, sourceId: Number(sourceId), crc: crc! } };
}

/** The part of the marker a lost-answer recovery matches: the same in both forms. */
export function markerKey(transferId: string, index: number): string {
  return `${transferId}/${index}`;
}
