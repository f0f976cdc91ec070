import type { FileEntry } from '../../source/listing';
import type { EarlierCopy } from '../types';
import type { YandexResource } from './api';

/**
 * Saving a gallery again on Yandex Disk (#15): the marks we put in custom_properties (Yandex keeps at most 1,024
 * bytes of them per resource; ours stay well under) and the search for an earlier copy by them.
 *
 * The gallery folder carries the transfer that made it (OWNER_PROPERTY, its identity: paths change when the user
 * renames it) and the gallery (gallery id and archive type); its albums and photos carry that identity, each photo
 * also the gallery's photo id and CRC32.
 */

/** Marks the gallery folder as ours, so a retry recognises it and another transfer never writes into it. */
export const OWNER_PROPERTY = 'cloud_archive_transfer';
/** On the gallery folder: which gallery it holds, so a later save of it finds the folder. */
export const GALLERY_PROPERTY = 'cloud_archive_gallery';
/** On albums and photos: the identity (OWNER_PROPERTY) of the gallery folder they were written under. */
export const ROOT_PROPERTY = 'cloud_archive_root';
const PHOTO_PROPERTY = 'cloud_archive_photo';
const CRC_PROPERTY = 'cloud_archive_crc';
/** Where the gallery folder is made before it gets its name (followed by the transfer id): never an earlier copy. */
export const STAGING_PREFIX = '.cloud-archive-';

/** One page of a folder's items (Yandex pages them by limit/offset) and how many there are in all. */
export type PageReader = (what: string, path: string, fields: string, offset: number) => Promise<{ items: YandexResource[]; total: number }>;

/** The marks a photo we wrote carries. */
export function fileMarks(identity: string, file: FileEntry): Record<string, string> {
  return { [ROOT_PROPERTY]: identity, [PHOTO_PROPERTY]: String(file.sourceId), [CRC_PROPERTY]: file.crc };
}

/** Every mark is on the resource already. */
export function hasMarks(resource: YandexResource, marks: Record<string, string>): boolean {
  return Object.entries(marks).every(([key, value]) => resource.custom_properties?.[key] === value);
}

/** A file written under the same gallery folder from another version of the photo (another CRC32). */
export function isOlderVersion(resource: YandexResource, identity: string, file: FileEntry): boolean {
  const props = resource.custom_properties;
  return resource.type === 'file' && props?.[ROOT_PROPERTY] === identity && typeof props[CRC_PROPERTY] === 'string' && props[CRC_PROPERTY] !== file.crc;
}

/** Marked with another gallery folder's identity: its marks are not ours to change. */
export function isOtherGallerys(resource: YandexResource, identity: string): boolean {
  const root = resource.custom_properties?.[ROOT_PROPERTY];
  return root !== undefined && root !== identity;
}

/** "/Gallery/IMG_1.jpg" → "/Gallery/IMG_1 (2).jpg": where a photo goes beside an older version of it. */
export function besideName(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const cut = dot > slash + 1 ? dot : path.length;
  return `${path.slice(0, cut)} (${n})${path.slice(cut)}`;
}

/** "disk:/a/b" → "/a/b", the form our references take. */
export const refOf = (path: string): string => path.replace(/^disk:/, '');

export class EarlierCopyFinder {
  constructor(private readonly page: PageReader) {}

  /**
   * The newest gallery folder at the top of the Disk marked with the gallery (trashed ones are not on the Disk's
   * paths; a staging folder a crash left is not a copy), then its whole tree, folder by folder, collecting the
   * photos marked with its identity. Null when there is none.
   */
  async find(galleryKey: string): Promise<{ root: string; files: EarlierCopy['files'] } | null> {
    const top = await this.#all('looking for an earlier copy of the gallery', '/', 'name,path,type,custom_properties,created');
    const [newest] = top
      .filter((r) => r.type === 'dir' && !r.name.startsWith(STAGING_PREFIX) && r.custom_properties?.[GALLERY_PROPERTY] === galleryKey)
      .filter((r) => typeof r.custom_properties?.[OWNER_PROPERTY] === 'string')
      .sort((a, b) => Date.parse(b.created ?? '') - Date.parse(a.created ?? ''));
    if (!newest) return null;
    const identity = newest.custom_properties![OWNER_PROPERTY] as string;
    const root = refOf(newest.path);
    const files: EarlierCopy['files'] = [];
    for (const dirs = [root]; dirs.length > 0; ) {
      for (const item of await this.#all('listing the earlier copy of the gallery', dirs.pop()!, 'path,type,custom_properties')) {
        if (item.type === 'dir') dirs.push(refOf(item.path));
        else {
          const photo = photoOf(item, identity);
          if (photo) files.push(photo);
        }
      }
    }
    return { root, files };
  }

  async #all(what: string, path: string, fields: string): Promise<YandexResource[]> {
    const items: YandexResource[] = [];
    for (;;) {
      const page = await this.page(what, path, fields, items.length);
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.total) return items;
    }
  }
}

function photoOf(item: YandexResource, identity: string): EarlierCopy['files'][number] | null {
  const props = item.custom_properties;
  if (props?.[ROOT_PROPERTY] !== identity) return null;
  const sourceId = Number(props[PHOTO_PROPERTY]);
  const crc = props[CRC_PROPERTY];
  return typeof props[PHOTO_PROPERTY] === 'string' && Number.isSafeInteger(sourceId) && typeof crc === 'string' ? { sourceId, crc } : null;
}
