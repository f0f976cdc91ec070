import { alreadyExists, directoryExists, fieldValidation, insufficientStorage, notFound, parentMissing } from '../errors';
import { newResourceId } from '../ids';
import type { StoredContent } from '../upload/content';
import { diskPath, parentOf } from './paths';

export interface DiskNode {
  /** "/a/b" ("/" for the root). */
  path: string;
  type: 'dir' | 'file';
  created: number;
  modified: number;
  resourceId: string;
  customProperties: Record<string, unknown>;
  /** Files only. */
  content?: StoredContent;
  /** Finalisation: an uploaded file exists for the API only from this moment on (folders: always). */
  visibleAt: number;
}

/** One user's Disk: resources by path. */
export class UserDisk {
  private readonly nodes = new Map<string, DiskNode>();
  /** What was deleted to the trash: gone from the Disk's paths, its bytes still counted against the space. */
  private readonly trash: DiskNode[] = [];

  constructor(
    readonly uid: string,
    private readonly now: () => number,
  ) {
    this.nodes.set('/', this.node('/', 'dir'));
  }

  /** The resource at a path, unless it is not finalised yet. */
  find(path: string): DiskNode | undefined {
    const node = this.nodes.get(path);
    return node && node.visibleAt <= this.now() ? node : undefined;
  }

  get(path: string): DiskNode {
    const node = this.find(path);
    if (!node) throw notFound(diskPath(path));
    return node;
  }

  /** Every visible resource, sorted by path. */
  all(): DiskNode[] {
    return [...this.nodes.keys()].sort().flatMap((path) => this.find(path) ?? []);
  }

  children(dir: string): DiskNode[] {
    return this.all().filter((node) => node.path !== '/' && parentOf(node.path) === dir);
  }

  /** Pending files count too: their bytes are already stored. So does the trash, as on Disk. */
  get bytesUsed(): number {
    let used = this.trashBytes;
    for (const node of this.nodes.values()) used += node.content?.size ?? 0;
    return used;
  }

  get trashBytes(): number {
    return this.trash.reduce((sum, node) => sum + (node.content?.size ?? 0), 0);
  }

  /**
   * Removes a resource and, for a folder, everything below it: to the trash (Disk's default for DELETE and what the
   * user's "delete" does), or for good. Either way it is gone from the Disk's paths.
   */
  remove(path: string, toTrash = false): void {
    const node = this.get(path);
    for (const [key, removed] of [...this.nodes]) {
      if (key !== node.path && !(node.type === 'dir' && key.startsWith(`${node.path}/`))) continue;
      this.nodes.delete(key);
      if (toTrash) this.trash.push(removed);
    }
  }

  /**
   * Moves a resource (a folder with everything in it) to `to`, keeping its custom_properties. Without
   * `overwrite` an existing resource at `to` is a 409; with it, that resource is removed first.
   */
  move(from: string, to: string, overwrite: boolean): DiskNode {
    const node = this.get(from);
    if (to === from || to.startsWith(`${from}/`)) throw fieldValidation('path', `"${diskPath(to)}" is inside "${diskPath(from)}".`);
    if (this.find(to)) {
      if (!overwrite) throw alreadyExists(diskPath(to));
      this.remove(to);
    }
    this.requireParent(to);
    for (const [key, moved] of [...this.nodes]) {
      if (key !== from && !key.startsWith(`${from}/`)) continue;
      this.nodes.delete(key);
      moved.path = to + key.slice(from.length);
      this.nodes.set(moved.path, moved);
    }
    node.modified = this.now();
    return node;
  }

  /** Folders are created one level per request, like WebDAV MKCOL. */
  mkdir(path: string): DiskNode {
    const existing = this.find(path);
    if (existing) throw existing.type === 'dir' ? directoryExists(diskPath(path)) : alreadyExists(diskPath(path));
    this.requireParent(path);
    const node = this.node(path, 'dir');
    this.nodes.set(path, node);
    return node;
  }

  /** What a new file at `path` needs: a parent folder, and no folder or (unless overwrite) file in its place. */
  checkFileTarget(path: string, overwrite: boolean): void {
    const existing = this.find(path);
    if (existing && (existing.type === 'dir' || !overwrite)) throw alreadyExists(diskPath(path));
    this.requireParent(path);
  }

  /** A file of `size` bytes at `path` (replacing what is there) must fit into the quota. */
  checkQuota(path: string, size: number, quota: number | undefined): void {
    if (quota === undefined) return;
    const replaced = this.nodes.get(path)?.content?.size ?? 0;
    if (this.bytesUsed - replaced + size > quota) throw insufficientStorage();
  }

  putFile(path: string, content: StoredContent, visibleAt: number): DiskNode {
    const node = { ...this.node(path, 'file'), content, visibleAt };
    this.nodes.set(path, node);
    return node;
  }

  private requireParent(path: string): void {
    const parent = path === '/' ? undefined : this.find(parentOf(path));
    if (!parent || parent.type !== 'dir') throw parentMissing(diskPath(parentOf(path)));
  }

  private node(path: string, type: DiskNode['type']): DiskNode {
    const now = this.now();
    return { path, type, created: now, modified: now, resourceId: newResourceId(this.uid), customProperties: {}, visibleAt: -Infinity };
  }
}

export class DiskStore {
  private readonly disks = new Map<string, UserDisk>();

  constructor(private readonly now: () => number) {}

  of(user: string): UserDisk {
    let disk = this.disks.get(user);
    if (!disk) {
      // Yandex uids are long decimal numbers.
      disk = new UserDisk(String(1130000000000000 + this.disks.size + 1), this.now);
      this.disks.set(user, disk);
    }
    return disk;
  }
}
