import type { StoredContent } from '../upload/content';
import { newAlbumId, newMediaItemId } from '../ids';

export interface MediaItem {
  id: string;
  /** The OAuth client that created it: Photos shows an app only what that app created. */
  clientId: string;
  filename: string;
  description?: string;
  mimeType: string;
  content: StoredContent;
  creationTime: string;
}

export interface Album {
  id: string;
  title: string;
  /** The OAuth client that created it; undefined for an album the user made in Google Photos itself. */
  clientId?: string;
  itemIds: string[];
}

/** One user's Google Photos library: albums and media items in creation order, and the storage they use. */
export class UserLibrary {
  private readonly albums = new Map<string, Album>();
  private readonly items = new Map<string, MediaItem>();
  bytesUsed = 0;

  addAlbum(title: string, clientId: string | undefined): Album {
    const album: Album = { id: newAlbumId(), title, clientId, itemIds: [] };
    this.albums.set(album.id, album);
    return album;
  }

  album(id: string): Album | undefined {
    return this.albums.get(id);
  }

  /** Deleting an album in the Photos app: its items stay in the library. */
  deleteAlbum(id: string): void {
    if (!this.albums.delete(id)) throw new Error(`no album ${id}`);
  }

  allAlbums(): Album[] {
    return [...this.albums.values()];
  }

  addItem(fields: Omit<MediaItem, 'id'>, album: Album | undefined): MediaItem {
    const item: MediaItem = { id: newMediaItemId(), ...fields };
    this.items.set(item.id, item);
    this.bytesUsed += item.content.size;
    album?.itemIds.push(item.id);
    return item;
  }

  item(id: string): MediaItem | undefined {
    return this.items.get(id);
  }

  allItems(): MediaItem[] {
    return [...this.items.values()];
  }

  itemsOf(album: Album): MediaItem[] {
    return album.itemIds.map((id) => this.items.get(id)!);
  }
}

export class PhotosLibraries {
  private readonly libraries = new Map<string, UserLibrary>();

  of(user: string): UserLibrary {
    let library = this.libraries.get(user);
    if (!library) {
      library = new UserLibrary();
      this.libraries.set(user, library);
    }
    return library;
  }
}
