import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of a transfer, for support staff's filters in the Web UI
 * (e.g. `GalleryId = "858329" AND TransferState = "partially_failed"`). Pure definitions: the workflow imports
 * them. They are stored in plain text by Temporal, so nothing secret goes here.
 * Within the SQL visibility budget (10 Keyword, 3 Int, 3 Text per namespace).
 */
export const GalleryId = defineSearchAttributeKey('GalleryId', SearchAttributeType.KEYWORD);
export const GalleryName = defineSearchAttributeKey('GalleryName', SearchAttributeType.TEXT);
export const CloudType = defineSearchAttributeKey('CloudType', SearchAttributeType.KEYWORD);
export const ArchiveType = defineSearchAttributeKey('ArchiveType', SearchAttributeType.KEYWORD);
export const TransferState = defineSearchAttributeKey('TransferState', SearchAttributeType.KEYWORD);
export const FilesFailed = defineSearchAttributeKey('FilesFailed', SearchAttributeType.INT);
export const FilesTotal = defineSearchAttributeKey('FilesTotal', SearchAttributeType.INT);

/** For registration: `temporal operator search-attribute create --name N --type T`, or the dev server's flags. */
export const SEARCH_ATTRIBUTES: Array<{ name: string; type: 'Keyword' | 'Int' | 'Text' }> = [
  { name: 'GalleryId', type: 'Keyword' },
  { name: 'GalleryName', type: 'Text' },
  { name: 'CloudType', type: 'Keyword' },
  { name: 'ArchiveType', type: 'Keyword' },
  { name: 'TransferState', type: 'Keyword' },
  { name: 'FilesFailed', type: 'Int' },
  { name: 'FilesTotal', type: 'Int' },
];
