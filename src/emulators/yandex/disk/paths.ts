import { fieldValidation } from '../errors';

/** Limits from the upload reference: "name ≤ 255 characters, path ≤ 32760 characters". */
const MAX_NAME = 255;
const MAX_PATH = 32760;

/**
 * A `path` parameter as the emulator's key: "/a/b" ("/" is the root). `disk:/a/b` and `/a/b` are
 * the same resource. Anything a real client should never send fails with FieldValidationError:
 * guessing what Yandex would make of it would hide client bugs.
 */
export function parseDiskPath(raw: string | null, field = 'path'): string {
  if (raw === null || raw === '') throw fieldValidation(field, 'This field is required.');
  const path = raw.startsWith('disk:') ? raw.slice('disk:'.length) : raw;
  if (!path.startsWith('/')) throw fieldValidation(field, `"${raw}" is not an absolute path (use disk:/… or /…).`);
  if (path.length > MAX_PATH) throw fieldValidation(field, `The path is longer than ${MAX_PATH} characters.`);
  if (path === '/') return path;
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw fieldValidation(field, `"${raw}" has an empty path segment.`);
    if (segment === '.' || segment === '..') throw fieldValidation(field, `"${raw}" has a "${segment}" segment.`);
    if (segment.length > MAX_NAME) throw fieldValidation(field, `A name is longer than ${MAX_NAME} characters.`);
    // Only the "disk:" prefix may contain a colon; in a name the REST API rejects it.
    if (segment.includes(':')) throw fieldValidation(field, `"${segment}" contains ':'.`);
  }
  return path;
}

/** How the API shows a path: always absolute with the "disk:" prefix. */
export const diskPath = (path: string): string => `disk:${path}`;

export const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/** The root is called "disk", as in the API's answer for disk:/. */
export const nameOf = (path: string): string => (path === '/' ? 'disk' : path.slice(path.lastIndexOf('/') + 1));
