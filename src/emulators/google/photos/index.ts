import type { GoogleContext } from '../context';
import { DEFAULT_USER } from '../oauth/authorize';
import type { DailyQuotaUse } from './quota';
import { photosTree, type PhotosTree } from './tree';

export type { PhotosAlbumNode, PhotosItemNode, PhotosTree } from './tree';
export type { DailyQuotaUse } from './quota';
export { photosRoutes } from './routes';

/** In-process helpers for tests on the Photos side of the Google emulator. */
export interface PhotosHelpers {
  /** The user's albums (with their items) and every media item (default user: user@example.com). */
  tree(userEmail?: string): PhotosTree;
  /** An album the user made in the Google Photos app: no app may add to it or see it. Returns its id. */
  addUserAlbum(title: string, userEmail?: string): string;
  /** The user deletes an album (any) in the Google Photos app, which the Library API cannot do; its items stay. */
  userDeletesAlbum(albumId: string, userEmail?: string): void;
  /** The project's use of its daily request budget, today (by photosQuotaDay). */
  dailyQuota(): DailyQuotaUse;
  /** Every upload token handed out so far. */
  uploadTokens(): string[];
}

export function photosHelpers(ctx: GoogleContext): PhotosHelpers {
  return {
    tree: (user = DEFAULT_USER) => photosTree(ctx.photos.libraries.of(user)),
    addUserAlbum: (title, user = DEFAULT_USER) => ctx.photos.libraries.of(user).addAlbum(title, undefined).id,
    userDeletesAlbum: (albumId, user = DEFAULT_USER) => ctx.photos.libraries.of(user).deleteAlbum(albumId),
    dailyQuota: () => ctx.photos.quota.dailyUse(),
    uploadTokens: () => ctx.photos.uploads.uploadTokens(),
  };
}
