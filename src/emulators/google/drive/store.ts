import { DriveError, notFound, storageQuotaExceeded } from '../errors';
import { newFileId, newRootId } from '../ids';
import type { StoredContent } from '../upload/content';
import { checkPropertyLimits, type FilePatch, type NewFile } from './metadata';
import { FOLDER_MIME } from './resource';

export interface DriveItem {
  id: string;
  /** Creation order, the default list order. */
  seq: number;
  name: string;
  mimeType: string;
  parents: string[];
  appProperties: Record<string, string>;
  properties: Record<string, string>;
  description?: string;
  starred: boolean;
  originalFilename?: string;
  createdTime: string;
  modifiedTime: string;
  explicitlyTrashed: boolean;
  version: number;
  /** Absent for folders. */
  content?: StoredContent;
}

/** One user's My Drive: items, the ids generateIds issued to them, and their storage use. */
export class UserDrive {
  readonly root: DriveItem;
  private readonly items = new Map<string, DriveItem>();
  private readonly issuedIds = new Set<string>();
  /** Ids that ever named a file, deleted ones included: "subsequent retries return a HTTP 409". */
  private readonly usedIds = new Set<string>();
  private seq = 0;
  bytesUsed = 0;

  constructor(
    readonly user: string,
    private readonly now: () => number,
  ) {
    const time = new Date(now()).toISOString();
    this.root = this.blankItem(newRootId(), 'My Drive', FOLDER_MIME, [], time);
    this.items.set(this.root.id, this.root);
  }

  issueIds(count: number): string[] {
    const ids = Array.from({ length: count }, newFileId);
    for (const id of ids) this.issuedIds.add(id);
    return ids;
  }

  /** `root` aliases My Drive. */
  find(id: string): DriveItem | undefined {
    return id === 'root' ? this.root : this.items.get(id);
  }

  get(id: string): DriveItem {
    const item = this.find(id);
    if (!item) throw notFound(id);
    return item;
  }

  /** Items other than the root, in creation order. */
  all(): DriveItem[] {
    return [...this.items.values()].filter((item) => item !== this.root);
  }

  /** Validates what a create will need; resumable init calls this before any byte arrives. */
  checkCreate(meta: NewFile, size: number | undefined, quota: number | undefined): void {
    if (meta.id !== undefined) this.checkNewId(meta.id);
    this.parentOf(meta);
    if (size !== undefined) this.checkQuota(size, quota);
  }

  checkQuota(size: number, quota: number | undefined): void {
    if (quota !== undefined && this.bytesUsed + size > quota) throw storageQuotaExceeded();
  }

  create(meta: NewFile, mimeType: string, content: StoredContent | undefined, quota: number | undefined): DriveItem {
    this.checkCreate(meta, content?.size, quota);
    if ((mimeType === FOLDER_MIME) !== (content === undefined)) {
      throw new DriveError(400, 'badRequest', content ? 'Folders cannot have content.' : 'Missing file content.');
    }
    const id = meta.id ?? newFileId();
    const time = new Date(this.now()).toISOString();
    const item: DriveItem = {
      ...this.blankItem(id, meta.name, mimeType, [this.parentOf(meta).id], meta.createdTime ?? time),
      appProperties: meta.appProperties,
      properties: meta.properties,
      description: meta.description,
      starred: meta.starred,
      originalFilename: meta.originalFilename,
      modifiedTime: meta.modifiedTime ?? time,
      content,
    };
    this.items.set(id, item);
    this.usedIds.add(id);
    this.bytesUsed += content?.size ?? 0;
    return item;
  }

  update(item: DriveItem, patch: FilePatch): void {
    if (item === this.root) throw cannotModifyRoot();
    const appProperties = mergeProperties(item.appProperties, patch.appProperties);
    const properties = mergeProperties(item.properties, patch.properties);
    checkPropertyLimits('appProperties', appProperties);
    checkPropertyLimits('properties', properties);
    Object.assign(item, {
      name: patch.name ?? item.name,
      explicitlyTrashed: patch.trashed ?? item.explicitlyTrashed,
      description: patch.description ?? item.description,
      starred: patch.starred ?? item.starred,
      appProperties,
      properties,
      modifiedTime: patch.modifiedTime ?? new Date(this.now()).toISOString(),
      version: item.version + 1,
    });
  }

  /** "If the target is a folder, all descendants owned by the user are also deleted." */
  remove(item: DriveItem): void {
    if (item === this.root) throw cannotModifyRoot();
    for (const child of this.all()) if (child.parents.includes(item.id)) this.remove(child);
    this.items.delete(item.id);
    this.bytesUsed -= item.content?.size ?? 0;
  }

  /** Children of a trashed folder are trashed too, without being explicitly trashed. */
  isTrashed(item: DriveItem): boolean {
    for (let current: DriveItem | undefined = item; current; current = this.items.get(current.parents[0] ?? '')) {
      if (current.explicitlyTrashed) return true;
    }
    return false;
  }

  /** Folder names from My Drive down to the item, joined with '/'. */
  pathOf(item: DriveItem): string {
    const names: string[] = [];
    for (let current: DriveItem | undefined = item; current && current !== this.root; current = this.items.get(current.parents[0] ?? '')) {
      names.unshift(current.name);
    }
    return names.join('/');
  }

  /** A pre-generated id must have been issued to this user and never used. */
  private checkNewId(id: string): void {
    if (this.usedIds.has(id)) throw new DriveError(409, 'fileIdInUse', 'A file already exists with the provided ID.');
    if (!this.issuedIds.has(id)) {
      throw new DriveError(400, 'fileIdNotUsable', 'The provided file ID is not usable.', { location: 'file.id', locationType: 'other' });
    }
  }

  private parentOf(meta: NewFile): DriveItem {
    const parentId = meta.parents[0] ?? 'root';
    const parent = this.find(parentId);
    if (!parent || parent.mimeType !== FOLDER_MIME || this.isTrashed(parent)) throw notFound(parentId);
    return parent;
  }

  private blankItem(id: string, name: string, mimeType: string, parents: string[], time: string): DriveItem {
    this.seq += 1;
    return {
      id,
      seq: this.seq,
      name,
      mimeType,
      parents,
      appProperties: {},
      properties: {},
      starred: false,
      createdTime: time,
      modifiedTime: time,
      explicitlyTrashed: false,
      version: 1,
    };
  }
}

function cannotModifyRoot(): DriveError {
  return new DriveError(403, 'insufficientFilePermissions', 'The user does not have sufficient permissions for this file.');
}

function mergeProperties(current: Record<string, string>, patch: Record<string, string | null> | undefined): Record<string, string> {
  const merged = Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, v]) => v !== null));
  return merged as Record<string, string>;
}

export class DriveStore {
  private readonly drives = new Map<string, UserDrive>();

  constructor(private readonly now: () => number) {}

  of(user: string): UserDrive {
    let drive = this.drives.get(user);
    if (!drive) {
      drive = new UserDrive(user, this.now);
      this.drives.set(user, drive);
    }
    return drive;
  }
}
