import { fieldValidation } from '../errors';
import { diskPath, nameOf } from './paths';
import type { DiskNode, UserDisk } from './store';

/** Yandex writes times as ISO 8601 with an explicit offset and no fraction: 2024-05-01T10:00:00+00:00. */
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** Yandex derives mime_type from the extension; unknown ones are octet-stream. */
const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
};

export function mimeTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const extension = dot > path.lastIndexOf('/') ? path.slice(dot + 1).toLowerCase() : '';
  return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

export interface Page {
  limit: number;
  offset: number;
}

/** The Resource object; folders carry one page of their items in `_embedded`. */
export function toResource(node: DiskNode, disk: UserDisk, page?: Page): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    path: diskPath(node.path),
    name: nameOf(node.path),
    type: node.type,
    created: isoTime(node.created),
    modified: isoTime(node.modified),
    resource_id: node.resourceId,
  };
  if (Object.keys(node.customProperties).length > 0) resource.custom_properties = { ...node.customProperties };
  if (node.content) {
    Object.assign(resource, { size: node.content.size, md5: node.content.md5, sha256: node.content.sha256, mime_type: mimeTypeOf(node.path) });
  }
  if (node.type === 'dir' && page) {
    const items = disk.children(node.path);
    resource._embedded = {
      items: items.slice(page.offset, page.offset + page.limit).map((item) => toResource(item, disk)),
      limit: page.limit,
      offset: page.offset,
      total: items.length,
      path: diskPath(node.path),
    };
  }
  return resource;
}

/**
 * `fields=name,_embedded.items.path,_embedded.total`: keeps only the named keys. A dotted name
 * selects inside objects and inside every element of an array, as the API does.
 */
export function selectFields(fields: string | null, value: Record<string, unknown>): Record<string, unknown> {
  if (fields === null) return value;
  const paths = fields.split(',').map((f) => f.trim());
  if (paths.some((p) => p === '' || p.split('.').includes(''))) throw fieldValidation('fields', `"${fields}" is not a list of field names.`);
  return project(value, paths.map((p) => p.split('.')));
}

function project(value: Record<string, unknown>, paths: string[][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const wanted = paths.filter((p) => p[0] === key);
    if (wanted.length === 0) continue;
    // The key itself was named: keep it whole.
    if (wanted.some((p) => p.length === 1)) out[key] = inner;
    else out[key] = projectInner(inner, wanted.map((p) => p.slice(1)));
  }
  return out;
}

function projectInner(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((item) => projectInner(item, paths));
  if (value && typeof value === 'object') return project(value as Record<string, unknown>, paths);
  return value;
}
