import { jsonReply, mediaType, readBody, type Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { fieldValidation } from '../errors';
import type { Exchange, Route } from '../router';
import { tokenOwner } from './auth';
import { boolParam, intParam } from './params';
import { diskPath, parseDiskPath } from './paths';
import { selectFields, toResource } from './resource';

/** "The size of the custom_properties object must not exceed 1024 bytes." */
const MAX_CUSTOM_PROPERTIES = 1024;
/** Without a quota the Disk is as good as unlimited: report a petabyte. */
const UNLIMITED = 2 ** 50;

/** A Link object pointing at a resource's metadata, as PUT /resources answers. */
export const metadataLink = (ex: Exchange, path: string): Record<string, unknown> => ({
  href: `${ex.base}/v1/disk/resources?path=${encodeURIComponent(diskPath(path))}`,
  method: 'GET',
  templated: false,
});

export function resourceRoutes(ctx: YandexContext): Route[] {
  const user = (ex: Exchange): string => tokenOwner(ctx, ex.req);

  const resources = /^\/v1\/disk\/resources\/?$/;
  return [
    { methods: ['GET'], path: /^\/v1\/disk\/?$/, group: 'disk', op: 'diskInfo', user, handle: (ex) => diskInfo(ctx, ex) },
    { methods: ['PUT'], path: resources, group: 'disk', op: 'mkdir', user, write: true, handle: (ex) => mkdir(ctx, ex) },
    { methods: ['GET'], path: resources, group: 'disk', op: 'getResource', user, handle: (ex) => metadata(ctx, ex) },
    { methods: ['PATCH'], path: resources, group: 'disk', op: 'patchResource', user, write: true, handle: (ex) => patch(ctx, ex) },
    { methods: ['DELETE'], path: resources, group: 'disk', op: 'deleteResource', user, write: true, handle: (ex) => remove(ctx, ex) },
    { methods: ['POST'], path: /^\/v1\/disk\/resources\/move\/?$/, group: 'disk', op: 'move', user, write: true, handle: (ex) => move(ctx, ex) },
  ];
}

async function diskInfo(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  ex.fault();
  const { storageQuotaBytes, maxFileBytes } = ctx.opts;
  const disk = ctx.disks.of(ex.user);
  // As on Disk: the owner comes with it (uid stable per account), and `fields` narrows the answer.
  const user = { country: 'ru', login: ex.user, display_name: ex.user, uid: disk.uid };
  const info = { total_space: storageQuotaBytes ?? UNLIMITED, used_space: disk.bytesUsed, trash_size: disk.trashBytes, max_file_size: maxFileBytes, user };
  return jsonReply(200, selectFields(ex.url.searchParams.get('fields'), info));
}

async function mkdir(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const path = parseDiskPath(ex.url.searchParams.get('path'));
  ex.fault({ path });
  ctx.disks.of(ex.user).mkdir(path);
  return jsonReply(201, metadataLink(ex, path));
}

async function metadata(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  const path = parseDiskPath(q.get('path'));
  const page = { limit: intParam(q, 'limit', 20), offset: intParam(q, 'offset', 0) };
  ex.fault({ path });
  const disk = ctx.disks.of(ex.user);
  return jsonReply(200, selectFields(q.get('fields'), toResource(disk.get(path), disk, page)));
}

async function patch(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  const path = parseDiskPath(q.get('path'));
  const changes = await readCustomProperties(ex);
  const disk = ctx.disks.of(ex.user);
  const node = disk.get(path);
  const merged: Record<string, unknown> = { ...node.customProperties };
  // A null value deletes the key.
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (Buffer.byteLength(JSON.stringify(merged)) > MAX_CUSTOM_PROPERTIES) {
    throw fieldValidation('custom_properties', `The properties may not exceed ${MAX_CUSTOM_PROPERTIES} bytes.`);
  }
  ex.fault({ path });
  node.customProperties = merged;
  return jsonReply(200, selectFields(q.get('fields'), toResource(node, disk)));
}

/**
 * DELETE /resources: 204 when done. Yandex answers 202 with an operation for large folders; the emulator
 * always deletes at once. To the trash unless `permanently=true`.
 */
async function remove(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const path = parseDiskPath(ex.url.searchParams.get('path'));
  const permanently = boolParam(ex.url.searchParams, 'permanently') ?? false;
  if (path === '/') throw fieldValidation('path', 'The root of the Disk cannot be deleted.');
  ex.fault({ path });
  ctx.disks.of(ex.user).remove(path, !permanently);
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}

/**
 * POST /resources/move?from=&path=[&overwrite=]: a file or an empty folder moves at once (201 and a Link to
 * its metadata); a folder with contents answers 202 and a Link to the operation, as Yandex does (the
 * emulator has moved it already; the operation reports success).
 */
async function move(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  const from = parseDiskPath(q.get('from'), 'from');
  const path = parseDiskPath(q.get('path'));
  const overwrite = boolParam(q, 'overwrite') ?? false;
  if (from === '/') throw fieldValidation('from', 'The root of the Disk cannot be moved.');
  ex.fault({ path });
  const disk = ctx.disks.of(ex.user);
  const node = disk.move(from, path, overwrite);
  if (node.type === 'file' || disk.children(path).length === 0) return jsonReply(201, metadataLink(ex, path));
  const operationId = ctx.operations.create(ex.user);
  ctx.operations.succeed(operationId, ctx.opts.now());
  return jsonReply(202, { href: `${ex.base}/v1/disk/operations/${operationId}`, method: 'GET', templated: false });
}

/** The PATCH body: exactly {"custom_properties": {...}}, sent as application/json. */
async function readCustomProperties(ex: Exchange): Promise<Record<string, unknown>> {
  if (mediaType(ex.req) !== 'application/json') throw fieldValidation('body', 'Content-Type must be application/json.');
  const raw = await readBody(ex.req, 64 * 1024);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw fieldValidation('body', 'The body is not valid JSON.');
  }
  const props = (body as { custom_properties?: unknown } | null)?.custom_properties;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(body) || Object.keys(body).some((k) => k !== 'custom_properties') || !isObject(props)) {
    throw fieldValidation('body', 'Expected {"custom_properties": {...}}.');
  }
  return props;
}
