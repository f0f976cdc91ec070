import type { UserDisk } from './disk/store';

/** In-process view of a user's Disk for tests and the demo. */
export interface YandexNode {
  /** "/Gallery/Album/a.jpg": no "disk:" prefix. */
  path: string;
  type: 'dir' | 'file';
  size?: number;
  md5?: string;
  sha256?: string;
  customProperties?: Record<string, unknown>;
}

/** Every finalised resource except the root, sorted by path. */
export function diskTree(disk: UserDisk): YandexNode[] {
  return disk
    .all()
    .filter((node) => node.path !== '/')
    .map((node) => ({
      path: node.path,
      type: node.type,
      ...(node.content ? { size: node.content.size, md5: node.content.md5, sha256: node.content.sha256 } : {}),
      ...(Object.keys(node.customProperties).length > 0 ? { customProperties: { ...node.customProperties } } : {}),
    }));
}
