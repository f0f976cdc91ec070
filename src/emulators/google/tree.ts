import type { UserDrive } from './drive/store';

/** In-process view of a user's Drive for tests and the demo. */
export interface DriveNode {
  id: string;
  name: string;
  /** Folder names from My Drive down to the item, joined with '/'. */
  path: string;
  mimeType: string;
  size?: number;
  md5?: string;
  sha256?: string;
  parents: string[];
  appProperties: Record<string, string>;
  createdTime: string;
}

/** The user's non-trashed items (items under a trashed folder count as trashed). */
export function driveTree(drive: UserDrive): DriveNode[] {
  return drive
    .all()
    .filter((item) => !drive.isTrashed(item))
    .map((item) => ({
      id: item.id,
      name: item.name,
      path: drive.pathOf(item),
      mimeType: item.mimeType,
      size: item.content?.size,
      md5: item.content?.md5,
      sha256: item.content?.sha256,
      parents: [...item.parents],
      appProperties: { ...item.appProperties },
      createdTime: item.createdTime,
    }));
}
