import type { Schema } from './fields';
import type { DriveItem, UserDrive } from './store';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';

/** Every field name of the Drive v3 File resource: valid in `fields`, even those we never fill. */
export const FILE_FIELD_NAMES = [
  'kind', 'id', 'name', 'mimeType', 'description', 'starred', 'trashed', 'explicitlyTrashed', 'trashingUser',
  'trashedTime', 'parents', 'properties', 'appProperties', 'spaces', 'version', 'webContentLink', 'webViewLink',
  'iconLink', 'hasThumbnail', 'thumbnailLink', 'thumbnailVersion', 'viewedByMe', 'viewedByMeTime', 'createdTime',
  'modifiedTime', 'modifiedByMeTime', 'modifiedByMe', 'sharedWithMeTime', 'sharingUser', 'owners', 'driveId',
  'teamDriveId', 'lastModifyingUser', 'shared', 'ownedByMe', 'capabilities', 'viewersCanCopyContent',
  'copyRequiresWriterPermission', 'writersCanShare', 'permissions', 'permissionIds', 'hasAugmentedPermissions',
  'folderColorRgb', 'originalFilename', 'fullFileExtension', 'fileExtension', 'md5Checksum', 'sha1Checksum',
  'sha256Checksum', 'size', 'quotaBytesUsed', 'headRevisionId', 'contentHints', 'imageMediaMetadata',
  'videoMediaMetadata', 'isAppAuthorized', 'exportLinks', 'shortcutDetails', 'contentRestrictions', 'resourceKey',
  'linkShareMetadata', 'labelInfo', 'inheritedPermissionsDisabled', 'downloadRestrictions',
] as const;

export const FILE_SCHEMA: Schema = Object.fromEntries(FILE_FIELD_NAMES.map((name) => [name, 'value' as const]));
export const FILE_LIST_SCHEMA: Schema = { kind: 'value', nextPageToken: 'value', incompleteSearch: 'value', files: FILE_SCHEMA };
export const GENERATED_IDS_SCHEMA: Schema = { kind: 'value', space: 'value', ids: 'value' };

/** Drive v3 answers only these unless `fields` asks for more: a client that forgets md5Checksum gets none. */
export const DEFAULT_FILE_FIELDS = 'kind,id,name,mimeType';
export const DEFAULT_LIST_FIELDS = `kind,incompleteSearch,nextPageToken,files(${DEFAULT_FILE_FIELDS})`;

/** The full File resource as far as the emulator models it; `fields` then trims it. */
export function toFileResource(item: DriveItem, drive: UserDrive): Record<string, unknown> {
  const isEmpty = (map: Record<string, string>): boolean => Object.keys(map).length === 0;
  const extension = /\.([^.]+)$/.exec(item.name)?.[1];
  const content = item.content;
  return {
    kind: 'drive#file',
    id: item.id,
    name: item.name,
    mimeType: item.mimeType,
    description: item.description,
    starred: item.starred,
    trashed: drive.isTrashed(item),
    explicitlyTrashed: item.explicitlyTrashed,
    parents: item.parents.length > 0 ? [...item.parents] : undefined,
    properties: isEmpty(item.properties) ? undefined : { ...item.properties },
    appProperties: isEmpty(item.appProperties) ? undefined : { ...item.appProperties },
    spaces: ['drive'],
    version: String(item.version),
    createdTime: item.createdTime,
    modifiedTime: item.modifiedTime,
    ownedByMe: true,
    originalFilename: content ? (item.originalFilename ?? item.name) : undefined,
    fullFileExtension: content && extension,
    fileExtension: content && extension,
    // "size: Size in bytes of blobs and first party editor files" — a decimal string; none for folders.
    size: content && String(content.size),
    quotaBytesUsed: String(content?.size ?? 0),
    md5Checksum: content?.md5,
    sha1Checksum: content?.sha1,
    sha256Checksum: content?.sha256,
  };
}
