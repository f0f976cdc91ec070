import { TransferError } from '../../shared/errors';
import { revokeGoogleToken, type GoogleAuth } from '../google-auth';
import type { CommitRequest, CommitOutcome, CreatedRoot, DestinationProvider, EarlierCopy, EarlierCopyRequest, FindFoldersRequest, FolderRequest, PutFileRequest, RootRequest, StoredFile } from '../types';
import type { BatchCommitter } from './committer';
import { toPhotosError } from './errors';
import type { PhotosLibrary } from './library';
import { childTitle, isBelow, parseItemMarker, rootTitle, titleOf } from './titles';
import type { PhotosUploader } from './upload';

const MiB = 1024 * 1024;
/** guides/upload-media: "All photos: 200 MB", "All videos: 20 GB". */
const PHOTO_MAX_BYTES = 200 * MiB;
const VIDEO_MAX_BYTES = 20 * 1024 * MiB;
const VIDEO = /\.(3gp|3g2|asf|avi|divx|m2t|m2ts|m4v|mkv|mmv|mod|mov|mp4|mpg|mts|tod|wmv)$/i;

/** The parts one transfer shares across its activities in this process (see worker.ts). */
export interface PhotosTransfer {
  auth: GoogleAuth;
  library: PhotosLibrary;
  uploader: PhotosUploader;
  committer: BatchCommitter;
}

/**
 * Google Photos behind the provider interface. Folders are albums (Photos has neither folders nor nested albums):
 * the gallery's album and one per gallery folder, found again by their exact title (a later save of the gallery
 * takes them too: FolderRequest.reuse changes nothing here). Files are uploaded by putFile and become media items
 * in commitFiles (batchCreate), found again by a marker in their description, which also names the gallery, the
 * photo and its CRC32 for saving again. Nothing is reserved (no reserveTargets): Photos names what it makes itself.
 */
export class GooglePhotosProvider implements DestinationProvider {
  constructor(private readonly transfer: PhotosTransfer) {}

  async createRoot(req: RootRequest): Promise<CreatedRoot> {
    const album = await this.transfer.library.ensureAlbum(rootTitle(req.rootName));
    return { ref: album.id, url: album.productUrl };
  }

  async createFolder(req: FolderRequest): Promise<string> {
    const parent = await this.transfer.library.album(req.parentRef);
    return (await this.transfer.library.ensureAlbum(childTitle(parent.title, req.path))).id;
  }

  /** One read of the gallery album and one listing of our albums, whatever the number of paths. */
  async findFolders(req: FindFoldersRequest): Promise<string[]> {
    const root = await this.transfer.library.album(req.rootRef);
    const albums = await this.transfer.library.albumsByTitle();
    return req.paths.map((path) => {
      const album = albums.get(titleOf(root.title, path));
      if (!album) throw new TransferError('gphotos_album_missing', `the album for "${path}" made earlier is not in Google Photos`, true);
      return album.id;
    });
  }

  /**
   * Saving again: our album titled as the gallery, if it or an album below it (by title) holds items whose markers
   * name the gallery; the photos those are. Albums carry nothing of ours but their title, so the gallery key is on
   * each item. One listing of our albums, one search per album of the gallery (100 items a page): the daily quota
   * counts every request. An album the user deleted is not listed, so not found.
   */
  async findEarlierCopy(req: EarlierCopyRequest): Promise<EarlierCopy | null> {
    if (req.rootName === undefined) return null;
    const albums = await this.transfer.library.albumsByTitle();
    const root = albums.get(rootTitle(req.rootName));
    if (!root) return null;
    const below = [...albums.values()].filter((album) => isBelow(root.title, album.title));
    const files: EarlierCopy['files'] = [];
    for (const album of [root, ...below]) {
      for (const item of await this.transfer.library.items(album.id)) {
        const photo = item.description ? parseItemMarker(item.description)?.photo : undefined;
        if (photo?.galleryKey === req.galleryKey) files.push({ sourceId: photo.sourceId, crc: photo.crc });
      }
    }
    return files.length > 0 ? { root: { ref: root.id, url: root.productUrl }, files } : null;
  }

  async putFile(req: PutFileRequest): Promise<StoredFile> {
    const max = VIDEO.test(req.file.name) ? VIDEO_MAX_BYTES : PHOTO_MAX_BYTES;
    if (req.file.size > max) {
      throw new TransferError('gphotos_too_large', `"${req.file.name}" is ${req.file.size} bytes; Google Photos takes at most ${max} bytes for it`, false);
    }
    return this.transfer.committer.uploading(() => this.transfer.uploader.put(req));
  }

  commitFiles(req: CommitRequest): Promise<CommitOutcome[]> {
    return this.transfer.committer.commit(req.transferId, req.items);
  }

  async revokeAccess(): Promise<void> {
    const token = this.transfer.auth.client.credentials.refresh_token;
    if (token) await revokeGoogleToken(this.transfer.auth.client, token, toPhotosError);
  }
}
