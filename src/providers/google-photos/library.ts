import type { ProviderCaller } from '../caller';
import type { PhotosApi } from './api';

/** The Library API's JSON side: our albums (found by title, made once) and our items in an album (found by marker). */

export interface PhotosAlbum {
  id: string;
  title: string;
  productUrl: string;
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

export class PhotosLibrary {
  constructor(readonly api: PhotosApi, readonly call: ProviderCaller) {}

  album(id: string): Promise<PhotosAlbum> {
    return this.call.run(`reading album ${id}`, 'read', () => this.api.json<PhotosAlbum>('GET', `/v1/albums/${encodeURIComponent(id)}`));
  }

  /**
   * Our album titled `title`, made if there is none. Every try looks first, so a retry after a lost answer finds the
   * album the lost create made instead of making a second one. Ahead of other writes: photos wait for it.
   */
  ensureAlbum(title: string): Promise<PhotosAlbum> {
    return this.call.run(`making album "${title}"`, 'urgent', async () => {
      const found = (await this.#albumsByTitle()).get(title);
      return found ?? this.api.json<PhotosAlbum>('POST', '/v1/albums', { album: { title } });
    });
  }

  /** Our albums by title: the API shows an app only the albums it made (excludeNonAppCreatedData said so too). */
  async albumsByTitle(): Promise<Map<string, PhotosAlbum>> {
    return this.call.run('listing our albums', 'read', () => this.#albumsByTitle());
  }

  async #albumsByTitle(): Promise<Map<string, PhotosAlbum>> {
    const byTitle = new Map<string, PhotosAlbum>();
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ pageSize: '50', excludeNonAppCreatedData: 'true', ...(pageToken ? { pageToken } : {}) });
      const page = await this.api.json<{ albums?: PhotosAlbum[]; nextPageToken?: string }>('GET', `/v1/albums?${query}`);
      for (const album of page.albums ?? []) if (!byTitle.has(album.title)) byTitle.set(album.title, album);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return byTitle;
  }

  /** The items in our album, by description (our marker). */
  async itemsByDescription(albumId: string, signal?: AbortSignal): Promise<Map<string, string>> {
    return this.call.run(`looking in album ${albumId}`, 'read', async () => {
      const byDescription = new Map<string, string>();
      let pageToken: string | undefined;
      do {
        const body = { albumId, pageSize: 100, ...(pageToken ? { pageToken } : {}) };
        const page = await this.api.json<{ mediaItems?: Array<{ id: string; description?: string }>; nextPageToken?: string }>('POST', '/v1/mediaItems:search', body, signal);
        for (const item of page.mediaItems ?? []) if (item.description) byDescription.set(item.description, item.id);
        pageToken = page.nextPageToken;
      } while (pageToken);
      return byDescription;
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
