import type { MediaItem, UserLibrary } from './library';

/** In-process view of a media item for tests: what the user would see, and what its bytes were. */
export interface PhotosItemNode {
  id: string;
  filename: string;
  description?: string;
  mimeType: string;
  size: number;
  md5: string;
  crc32: string;
  /** The OAuth client that created it. */
  clientId: string;
  creationTime: string;
}

export interface PhotosAlbumNode {
  id: string;
  title: string;
  /** undefined: an album the user made in Google Photos (see addUserAlbum). */
  clientId?: string;
  items: PhotosItemNode[];
}

export interface PhotosTree {
  albums: PhotosAlbumNode[];
  /** Every media item in the library, in creation order, whether in an album or not. */
  items: PhotosItemNode[];
}

const itemNode = (item: MediaItem): PhotosItemNode => ({
  id: item.id,
  filename: item.filename,
  description: item.description,
  mimeType: item.mimeType,
  size: item.content.size,
  md5: item.content.md5,
  crc32: item.content.crc32,
  clientId: item.clientId,
  creationTime: item.creationTime,
});

export function photosTree(library: UserLibrary): PhotosTree {
  return {
    albums: library.allAlbums().map((album) => ({
      id: album.id,
      title: album.title,
      clientId: album.clientId,
      items: library.itemsOf(album).map(itemNode),
    })),
    items: library.allItems().map(itemNode),
  };
}
