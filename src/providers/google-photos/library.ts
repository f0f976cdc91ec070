import type { ProviderCaller } from '../caller';
import type { PhotosApi } from './api';

/** The Library API's JSON side: our albums (found by title, made once) and our items in an album (found by their markers). */

export interface PhotosAlbum {
  id: string;
  title: string;
  productUrl: string;
}

export interface PhotosItem {
  id: string;
  description?: string;
}

export interface NewItem {
  uploadToken: string;
  fileName: string;
  description: string;
}

export interface ItemResult {
  uploadToken: string;
  status: { code?: number; message?: string };
  mediaItem?: { id: string };
}

/** "Maximum 50 media items per call." */
export const BATCH_CREATE_MAX = 50;

/**
 * One transfer's view of the Library API in this process. Our albums are remembered (from a full listing and from
 * our own creates), so making a gallery's folders costs one create each, not a listing each: the project's daily
 * quota counts every request.
 */
export class PhotosLibrary {
  readonly #albums = new Map<string, PhotosAlbum>();
  /** The map holds every album of ours: a full listing was read, and no create answer was lost since. */
  #complete = false;

  constructor(readonly api: PhotosApi, readonly call: ProviderCaller) {}

  async album(id: string): Promise<PhotosAlbum> {
    const known = [...this.#albums.values()].find((a) => a.id === id);
    return known ?? this.call.run(`reading album ${id}`, 'read', () => this.api.json<PhotosAlbum>('GET', `/v1/albums/${encodeURIComponent(id)}`));
  }

  /**
   * Our album titled `title`, made if there is none. A try after a failed create lists again first, so a retry
   * after a lost answer finds the album the lost create made instead of making a second one. Ahead of other
   * writes: photos wait for it.
   */
  ensureAlbum(title: string): Promise<PhotosAlbum> {
    return this.call.run(`making album "${title}"`, 'urgent', async () => {
      if (!this.#albums.has(title) && !this.#complete) await this.#list();
      const known = this.#albums.get(title);
      if (known) return known;
      try {
        const made = await this.api.json<PhotosAlbum>('POST', '/v1/albums', { album: { title } });
        this.#albums.set(made.title, made);
        return made;
      } catch (err) {
        this.#complete = false;
        throw err;
      }
    });
  }

  /**
   * Our albums by title, as listed now (an album the user deleted is not among them): the API shows an app only the
   * albums it made (excludeNonAppCreatedData too).
   */
  albumsByTitle(): Promise<Map<string, PhotosAlbum>> {
    return this.call.run('listing our albums', 'read', () => this.#list());
  }

  /** Adds what it lists to what we know (never forgets an album we made: a listing may lag behind our create). */
  async #list(): Promise<Map<string, PhotosAlbum>> {
    const listed = new Map<string, PhotosAlbum>();
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ pageSize: '50', excludeNonAppCreatedData: 'true', ...(pageToken ? { pageToken } : {}) });
      const page = await this.api.json<{ albums?: PhotosAlbum[]; nextPageToken?: string }>('GET', `/v1/albums?${query}`);
      for (const album of page.albums ?? []) if (!listed.has(album.title)) listed.set(album.title, album);
      pageToken = page.nextPageToken;
    } while (pageToken);
    for (const [title, album] of listed) if (!this.#albums.has(title)) this.#albums.set(title, album);
    this.#complete = true;
    return listed;
  }

  /** The items in our album with their descriptions (our markers), 100 a page. */
  async items(albumId: string, signal?: AbortSignal): Promise<PhotosItem[]> {
    return this.call.run(`looking in album ${albumId}`, 'read', async () => {
      const items: PhotosItem[] = [];
      let pageToken: string | undefined;
      do {
        const body = { albumId, pageSize: 100, ...(pageToken ? { pageToken } : {}) };
        const page = await this.api.json<{ mediaItems?: PhotosItem[]; nextPageToken?: string }>('POST', '/v1/mediaItems:search', body, signal);
        items.push(...(page.mediaItems ?? []).map(({ id, description }) => ({ id, description })));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return items;
    }, signal);
  }

  /** One batchCreate (≤ 50 items) into `albumId`; per-item failures come back inside the 200. */
  async batchCreate(albumId: string, items: NewItem[], signal?: AbortSignal): Promise<ItemResult[]> {
    const body = { albumId, newMediaItems: items.map(({ uploadToken, fileName, description }) => ({ description, simpleMediaItem: { uploadToken, fileName } })) };
    const res = await this.call.run(`adding ${items.length} photo(s) to album ${albumId}`, 'write', () =>
      this.api.json<{ newMediaItemResults?: ItemResult[] }>('POST', '/v1/mediaItems:batchCreate', body, signal), signal);
    return res.newMediaItemResults ?? [];
  }
}
