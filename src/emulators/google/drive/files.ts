import { jsonReply, mediaType, readBody, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import { badRequest, DriveError, invalidParameter, notEmulated } from '../errors';
import type { Exchange, Route } from '../router';
import { authenticate } from './auth';
import { decodePageToken, encodePageToken, parseOrderBy, parseQ, search } from './listing';
import { parseJsonBody, parseNewFile, parsePatch } from './metadata';
import { boolParam, checkCommonParams, fieldsProjector, intParam } from './params';
import {
  DEFAULT_FILE_FIELDS,
  DEFAULT_LIST_FIELDS,
  FILE_LIST_SCHEMA,
  FILE_SCHEMA,
  FOLDER_MIME,
  GENERATED_IDS_SCHEMA,
  toFileResource,
} from './resource';
import { ContentAccumulator } from '../upload/content';

const METADATA_LIMIT = 1024 * 1024;

/** Metadata bodies must be JSON; anything else is a client bug worth seeing. */
export async function readMetadata(ex: Exchange, body: AsyncIterable<Buffer> = ex.req): Promise<unknown> {
  const raw = await readBody(body, METADATA_LIMIT);
  if (raw.length > 0 && mediaType(ex.req) !== 'application/json') {
    throw badRequest(`Metadata must be sent as application/json, got '${ex.req.headers['content-type'] ?? ''}'.`);
  }
  return parseJsonBody(raw);
}

const fileFields = (ex: Exchange) => fieldsProjector(ex.url.searchParams.get('fields'), FILE_SCHEMA, DEFAULT_FILE_FIELDS);

export function fileRoutes(ctx: GoogleContext): Route[] {
  const files = /^\/drive\/v3\/files$/;
  const file = /^\/drive\/v3\/files\/([^/]+)$/;
  return [
    { methods: ['GET'], path: /^\/drive\/v3\/files\/generateIds$/, group: 'drive', auth: authenticate, op: () => 'generateIds', handle: (ex) => generateIds(ctx, ex) },
    { methods: ['GET'], path: files, group: 'drive', auth: authenticate, op: () => 'list', handle: (ex) => list(ctx, ex) },
    { methods: ['POST'], path: files, group: 'drive', auth: authenticate, op: () => 'createMetadata', handle: (ex) => createMetadata(ctx, ex) },
    { methods: ['GET'], path: file, group: 'drive', auth: authenticate, op: () => 'get', handle: (ex) => get(ctx, ex) },
    { methods: ['PATCH'], path: file, group: 'drive', auth: authenticate, op: () => 'patch', handle: (ex) => patch(ctx, ex) },
    { methods: ['DELETE'], path: file, group: 'drive', auth: authenticate, op: () => 'delete', handle: (ex) => remove(ctx, ex) },
  ];
}

async function generateIds(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  checkCommonParams(q);
  const count = intParam(q, 'count', 10, 1, 1000);
  const space = q.get('space') ?? 'drive';
  if (space === 'appDataFolder') throw notEmulated('space=appDataFolder');
  if (space !== 'drive') throw invalidParameter('space');
  const type = q.get('type') ?? 'files';
  if (type !== 'files' && type !== 'shortcuts') throw invalidParameter('type');
  const select = fieldsProjector(q.get('fields'), GENERATED_IDS_SCHEMA, 'kind,space,ids');
  ex.fault();
  const ids = ctx.drives.of(ex.user).issueIds(count);
  return jsonReply(200, select({ kind: 'drive#generatedIds', space, ids }));
}

async function createMetadata(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  checkCommonParams(ex.url.searchParams);
  const select = fileFields(ex);
  const meta = parseNewFile(await readMetadata(ex), { requireName: true });
  ex.fault({ fileName: meta.name, fileId: meta.id });
  const mimeType = meta.mimeType ?? 'application/octet-stream';
  // A metadata-only blob is an empty file; folders have no content at all.
  const content = mimeType === FOLDER_MIME ? undefined : ContentAccumulator.empty(0).finish();
  const drive = ctx.drives.of(ex.user);
  if (meta.id) ctx.stats.metadataCreatesById.set(meta.id, (ctx.stats.metadataCreatesById.get(meta.id) ?? 0) + 1);
  try {
    const item = drive.create(meta, mimeType, content, ctx.opts.storageQuotaBytes);
    return jsonReply(200, select(toFileResource(item, drive)));
  } catch (err) {
    if (err instanceof DriveError && err.status === 409) ctx.stats.metadataConflicts += 1;
    throw err;
  }
}

async function get(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  checkCommonParams(ex.url.searchParams);
  boolParam(ex.url.searchParams, 'acknowledgeAbuse');
  const select = fileFields(ex);
  const drive = ctx.drives.of(ex.user);
  const item = drive.get(ex.params[0]!);
  ex.fault({ fileName: item.name, fileId: item.id });
  return jsonReply(200, select(toFileResource(item, drive)));
}

async function list(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  checkCommonParams(q);
  boolParam(q, 'includeItemsFromAllDrives');
  const pageSize = intParam(q, 'pageSize', 100, 1, 1000);
  if ((q.get('spaces') ?? 'drive') !== 'drive') throw notEmulated(`spaces=${q.get('spaces')}`);
  if (!['user', 'allDrives'].includes(q.get('corpora') ?? 'user')) throw notEmulated(`corpora=${q.get('corpora')}`);
  const query = parseQ(q.get('q'));
  const order = parseOrderBy(q.get('orderBy'));
  const select = fieldsProjector(q.get('fields'), FILE_LIST_SCHEMA, DEFAULT_LIST_FIELDS);
  const pageKey = `${q.get('q') ?? ''}\n${q.get('orderBy') ?? ''}`;
  const offset = decodePageToken(q.get('pageToken'), pageKey);
  ex.fault();
  const drive = ctx.drives.of(ex.user);
  const hits = search(drive, query).sort(order);
  // Strict paging: a page never holds more than pageSize files.
  const page = hits.slice(offset, offset + pageSize);
  const nextPageToken = offset + pageSize < hits.length ? encodePageToken(pageKey, offset + pageSize) : undefined;
  const files = page.map((item) => toFileResource(item, drive));
  return jsonReply(200, select({ kind: 'drive#fileList', nextPageToken, incompleteSearch: false, files }));
}

async function patch(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  checkCommonParams(q);
  if (q.has('addParents') || q.has('removeParents')) throw notEmulated('Moving files (addParents/removeParents)');
  const select = fileFields(ex);
  const changes = parsePatch(await readMetadata(ex));
  const drive = ctx.drives.of(ex.user);
  const item = drive.get(ex.params[0]!);
  ex.fault({ fileName: item.name, fileId: item.id });
  drive.update(item, changes);
  return jsonReply(200, select(toFileResource(item, drive)));
}

async function remove(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  checkCommonParams(ex.url.searchParams);
  const drive = ctx.drives.of(ex.user);
  const item = drive.get(ex.params[0]!);
  ex.fault({ fileName: item.name, fileId: item.id });
  drive.remove(item);
  return { status: 204 };
}
