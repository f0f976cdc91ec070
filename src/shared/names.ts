/**
 * Turning a listing entry's `name` ("Photos 1/Test_011.jpg") into a safe destination path.
 * Pure functions: the same listing always gives the same tree, which is what makes a retried or resumed
 * transfer land on the same folders and file names.
 */

/** Longest name we create, in characters. Long names are shortened, keeping the extension. */
export const MAX_NAME_CHARS = 255;
/** Deepest album nesting we accept below the gallery folder (Drive's own limit is 100 levels). */
export const MAX_DEPTH = 20;

export type PathResult = { ok: true; folders: string[]; fileName: string } | { ok: false; reason: string };

// Control characters (C0, DEL, C1) and the bidi overrides that can disguise an extension.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

// Yandex Disk refuses ":" in names (and Windows sync clients cannot show it): the fullwidth colon reads the same.
// A backslash inside a listing name is part of that name (the separator is "/"), but Windows clients and some
// sync tools take it for one: the fullwidth reverse solidus keeps the look. Applied for every destination, so
// one listing always gives one tree.
const LOOK_ALIKES: Record<string, string> = { ':': '\uff1a', '\\': '\uff3c' };
const NEEDS_LOOK_ALIKE = /[:\\]/g;

export function cleanSegment(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .replace(UNSAFE_CHARS, '')
    .replace(NEEDS_LOOK_ALIKE, (c) => LOOK_ALIKES[c]!)
    .trim();
  return shorten(cleaned, MAX_NAME_CHARS);
}

/**
 * The gallery folder's name from `gallery_name`: one path segment on every destination, so a "/" (a separator
 * on Yandex Disk) becomes the fullwidth "／", and names that mean "here" or "up" get a plain one.
 */
export function galleryFolderName(galleryName: string): string {
  const name = cleanSegment(galleryName.replace(/\//g, '\uff0f'));
  return name === '' || name === '.' || name === '..' ? 'Gallery' : name;
}

/** Shortens to `max` characters (code points, never splitting a surrogate pair), keeping a short extension. */
export function shorten(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (ext.length > 0 && ext.length <= 16) {
    return chars.slice(0, max - ext.length - 1).join('') + '…' + ext.join('');
  }
  return chars.slice(0, max - 1).join('') + '…';
}

/**
 * Splits an entry name on "/" (SPEC: `"Photos 1/Test_011.jpg"`) into album folders and a file name; a backslash
 * is part of a name ("AC\DC live" is one album, not two). Empty and "." segments are dropped; ".." anywhere is
 * refused rather than guessed at.
 */
export function toDestinationPath(name: string): PathResult {
  const segments = name.split('/').map(cleanSegment);
  if (segments.some((s) => s === '..')) return { ok: false, reason: 'name contains a ".." path segment' };
  const kept = segments.filter((s) => s !== '' && s !== '.');
  if (kept.length === 0) return { ok: false, reason: 'name is empty after removing unsafe characters' };
  if (kept.length - 1 > MAX_DEPTH) return { ok: false, reason: `name is nested deeper than ${MAX_DEPTH} folders` };
  return { ok: true, folders: kept.slice(0, -1), fileName: kept[kept.length - 1]! };
}

/**
 * Gives every name in a folder a distinct spelling, in listing order: the second "IMG_1.jpg" becomes
 * "IMG_1 (2).jpg". Drive would accept duplicates, but a client cannot tell them apart; and a photo may not take
 * an album's name (`reserve`), since files and folders of one folder share one namespace on Yandex Disk and in
 * any zip of the tree. Comparison ignores case, because the user's desktop sync client may not.
 *
 * Linear in the number of names: for each name already seen, the next suffix to try is remembered, so 100,000
 * photos of one name take 100,000 steps, not 100,000² / 2. Every suffix below it is taken (names are never
 * released), so the result is the same as trying " (2)", " (3)", … from the start.
 */
export class NameDeduper {
  readonly #taken = new Set<string>();
  readonly #nextSuffix = new Map<string, number>();

  /** Takes `name` in `folderKey` as it is (an album's own name in its parent). */
  reserve(folderKey: string, name: string): void {
    this.#taken.add(nameKey(folderKey, name));
  }

  unique(folderKey: string, fileName: string): string {
    const key = nameKey(folderKey, fileName);
    let candidate = fileName;
    if (this.#taken.has(key)) {
      let n = this.#nextSuffix.get(key) ?? 2;
      do candidate = withSuffix(fileName, ` (${n++})`);
      while (this.#taken.has(nameKey(folderKey, candidate)));
      this.#nextSuffix.set(key, n);
    }
    this.#taken.add(nameKey(folderKey, candidate));
    return candidate;
  }
}

function nameKey(folderKey: string, name: string): string {
  return `${folderKey}/${name.toLowerCase()}`;
}

function withSuffix(fileName: string, suffix: string): string {
  const dot = fileName.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [fileName.slice(0, dot), fileName.slice(dot)] : [fileName, ''];
  return shorten(stem, MAX_NAME_CHARS - ext.length - suffix.length) + suffix + ext;
}
