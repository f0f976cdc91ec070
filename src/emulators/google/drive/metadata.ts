import { badRequest, DriveError, invalidParameter, notEmulated } from '../errors';
import { FILE_FIELD_NAMES } from './resource';

export interface NewFile {
  id?: string;
  name: string;
  mimeType?: string;
  parents: string[];
  appProperties: Record<string, string>;
  properties: Record<string, string>;
  description?: string;
  starred: boolean;
  originalFilename?: string;
  createdTime?: string;
  modifiedTime?: string;
}

export interface FilePatch {
  name?: string;
  trashed?: boolean;
  /** null deletes a key. */
  appProperties?: Record<string, string | null>;
  properties?: Record<string, string | null>;
  description?: string;
  starred?: boolean;
  modifiedTime?: string;
}

const CREATE_FIELDS = new Set(['id', 'name', 'mimeType', 'parents', 'appProperties', 'properties', 'description', 'starred', 'originalFilename', 'createdTime', 'modifiedTime']);
const PATCH_FIELDS = new Set(['name', 'trashed', 'appProperties', 'properties', 'description', 'starred', 'modifiedTime']);
const KNOWN_FIELDS: ReadonlySet<string> = new Set(FILE_FIELD_NAMES);
/** Writable on Drive but not modelled here: refusing them beats silently dropping them. */
const UNMODELED_WRITABLE = new Set(['trashed', 'mimeType', 'originalFilename', 'folderColorRgb', 'contentHints', 'copyRequiresWriterPermission', 'writersCanShare', 'viewedByMeTime', 'shortcutDetails', 'contentRestrictions', 'inheritedPermissionsDisabled', 'downloadRestrictions']);

/**
 * Drive's file name limit is not documented; we refuse names over 32,767 UTF-8 bytes (the
 * largest limit reported in practice) rather than accept anything.
 */
const MAX_NAME_BYTES = 32767;
/** "Maximum of 30 private properties per app" and "124 bytes (key + value, UTF-8) per property". */
const MAX_PROPERTIES = 30;
const MAX_PROPERTY_BYTES = 124;

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new DriveError(400, 'parseError', `Invalid JSON payload received. ${(err as Error).message}`);
  }
}

export function parseNewFile(body: unknown, { requireName }: { requireName: boolean }): NewFile {
  const fields = checkFields(body, CREATE_FIELDS);
  const name = optionalString(fields, 'name') ?? (requireName ? undefined : 'Untitled');
  if (!name) throw invalidParameter('name', 'A file name is required.');
  checkName(name);
  const parents = fields.parents;
  if (parents !== undefined && (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string'))) {
    throw invalidParameter('parents');
  }
  // Since 2020 "a file can have only one parent"; more is refused rather than silently trimmed.
  if (parents && parents.length > 1) throw badRequest('A file can have only one parent folder.');
  const appProperties = propertyMap(fields, 'appProperties', false);
  const properties = propertyMap(fields, 'properties', false);
  return {
    id: optionalString(fields, 'id'),
    name,
    mimeType: optionalString(fields, 'mimeType'),
    parents: parents ?? [],
    appProperties: appProperties as Record<string, string>,
    properties: properties as Record<string, string>,
    description: optionalString(fields, 'description'),
    starred: optionalBoolean(fields, 'starred') ?? false,
    originalFilename: optionalString(fields, 'originalFilename'),
    createdTime: optionalTime(fields, 'createdTime'),
    modifiedTime: optionalTime(fields, 'modifiedTime'),
  };
}

export function parsePatch(body: unknown): FilePatch {
  const fields = checkFields(body, PATCH_FIELDS);
  const name = optionalString(fields, 'name');
  if (name !== undefined) {
    if (!name) throw invalidParameter('name', 'A file name is required.');
    checkName(name);
  }
  return {
    name,
    trashed: optionalBoolean(fields, 'trashed'),
    appProperties: fields.appProperties === undefined ? undefined : propertyMap(fields, 'appProperties', true),
    properties: fields.properties === undefined ? undefined : propertyMap(fields, 'properties', true),
    description: optionalString(fields, 'description'),
    starred: optionalBoolean(fields, 'starred'),
    modifiedTime: optionalTime(fields, 'modifiedTime'),
  };
}

/** Count and size limits, checked on the merged map (create, or after a PATCH merge). */
export function checkPropertyLimits(location: 'appProperties' | 'properties', map: Record<string, string>): void {
  const entries = Object.entries(map);
  if (entries.length > MAX_PROPERTIES) {
    throw invalidParameter(location, `At most ${MAX_PROPERTIES} ${location} are allowed per app.`);
  }
  for (const [key, value] of entries) {
    if (Buffer.byteLength(key) + Buffer.byteLength(value) > MAX_PROPERTY_BYTES) {
      throw invalidParameter(location, `Property ${key}: key plus value exceeds ${MAX_PROPERTY_BYTES} bytes.`);
    }
  }
}

/** Unknown names are typos (400); output-only File fields are "not directly writable" (403). */
function checkFields(body: unknown, writable: ReadonlySet<string>): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DriveError(400, 'parseError', 'Invalid JSON payload received. Expected an object.');
  }
  for (const key of Object.keys(body)) {
    if (writable.has(key) || key === 'kind') continue;
    if (key === 'parents') {
      throw new DriveError(403, 'fieldNotWritable', 'The parents field is not directly writable in update requests. Use the addParents and removeParents parameters instead.');
    }
    if (!KNOWN_FIELDS.has(key)) {
      throw new DriveError(400, 'badRequest', `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
    }
    if (UNMODELED_WRITABLE.has(key)) throw notEmulated(`Setting "${key}" in this request`);
    throw new DriveError(403, 'fieldNotWritable', 'The resource body includes fields which are not directly writable.');
  }
  return body as Record<string, unknown>;
}

function checkName(name: string): void {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw invalidParameter('name', `The name exceeds ${MAX_NAME_BYTES} bytes.`);
}

function optionalString(fields: Record<string, unknown>, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(key);
  return value;
}

function optionalBoolean(fields: Record<string, unknown>, key: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(key);
  return value;
}

function optionalTime(fields: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(fields, key);
  if (value === undefined) return undefined;
  // RFC 3339 date-time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalidParameter(key);
  }
  return new Date(value).toISOString();
}

function propertyMap(fields: Record<string, unknown>, key: 'appProperties' | 'properties', allowNull: boolean): Record<string, string | null> {
  const value = fields[key] ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter(key);
  for (const [k, v] of Object.entries(value)) {
    if (!k || !(typeof v === 'string' || (allowNull && v === null))) throw invalidParameter(key, `Invalid value for ${key}.${k}`);
  }
  const map = Object.fromEntries(Object.entries(value)) as Record<string, string | null>;
  if (!allowNull) checkPropertyLimits(key, map as Record<string, string>);
  return map;
}
