import type { Album, MediaItem, UserLibrary } from './library';

/** The MediaItem resource. No baseUrl: the emulator serves no bytes back. Width/height are unknown for synthetic bytes. */
export function mediaItemResource(item: MediaItem): Record<string, unknown> {
  const kind = item.mimeType.startsWith('video/') ? { video: { status: 'READY' } } : { photo: {} };
  return {
    id: item.id,
    ...(item.description === undefined ? {} : { description: item.description }),
    productUrl: `https://photos.google.com/lr/photo/${item.id}`,
    mimeType: item.mimeType,
    mediaMetadata: { creationTime: item.creationTime, ...kind },
    filename: item.filename,
  };
}

/** The Album resource as its app sees it; counts are int64, so strings in JSON. */
export function albumResource(album: Album, library: UserLibrary): Record<string, unknown> {
  const count = library.itemsOf(album).length;
  return {
    id: album.id,
    title: album.title,
    productUrl: `https://photos.google.com/lr/album/${album.id}`,
    isWriteable: true,
    ...(count > 0 ? { mediaItemsCount: String(count) } : {}),
  };
}
