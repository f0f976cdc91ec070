import { invalidParameter, notEmulated } from '../errors';
import { matches, parseQuery, QuerySyntaxError, type Query } from './query';
import type { DriveItem, UserDrive } from './store';
import { FOLDER_MIME } from './resource';

/** files.list orderBy keys; the rest of Drive's keys are valid there but not modelled. */
const SORT_KEYS: Record<string, (a: DriveItem, b: DriveItem) => number> = {
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  createdTime: (a, b) => a.createdTime.localeCompare(b.createdTime),
  modifiedTime: (a, b) => a.modifiedTime.localeCompare(b.modifiedTime),
  folder: (a, b) => Number(b.mimeType === FOLDER_MIME) - Number(a.mimeType === FOLDER_MIME),
};
const OTHER_DRIVE_KEYS = ['modifiedByMeTime', 'name_natural', 'quotaBytesUsed', 'recency', 'sharedWithMeTime', 'starred', 'viewedByMeTime'];

export function parseQ(q: string | null): Query | undefined {
  if (q === null || q.trim() === '') return undefined;
  try {
    return parseQuery(q);
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw invalidParameter('q');
    throw err;
  }
}

export function parseOrderBy(orderBy: string | null): (a: DriveItem, b: DriveItem) => number {
  const comparators = (orderBy ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [key = '', direction, ...rest] = part.split(/\s+/);
      const compare = SORT_KEYS[key];
      if (rest.length > 0 || (direction !== undefined && direction !== 'desc' && direction !== 'asc')) throw invalidParameter('orderBy');
      if (!compare) throw OTHER_DRIVE_KEYS.includes(key) ? notEmulated(`orderBy=${key}`) : invalidParameter('orderBy');
      return direction === 'desc' ? (a: DriveItem, b: DriveItem) => compare(b, a) : compare;
    });
  // Ties (and no orderBy at all) fall back to creation order so pages are stable.
  return (a, b) => comparators.reduce((result, compare) => result || compare(a, b), 0) || a.seq - b.seq;
}

export function search(drive: UserDrive, query: Query | undefined): DriveItem[] {
  if (!query) return drive.all();
  return drive.all().filter((item) => matches(query, { ...item, trashed: drive.isTrashed(item) }, drive.root.id));
}

/**
 * Page tokens carry the offset and the query they belong to; a token used with a different q or
 * orderBy is rejected instead of silently paging through another result set.
 */
export function encodePageToken(key: string, offset: number): string {
  return Buffer.from(JSON.stringify({ key, offset })).toString('base64url');
}

export function decodePageToken(token: string | null, key: string): number {
  if (token === null) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { key?: unknown; offset?: unknown };
    if (parsed.key === key && Number.isInteger(parsed.offset)) return parsed.offset as number;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('pageToken');
}
