import { jsonReply, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import type { Exchange } from '../router';
import { invalidArgument, invalidUploadToken, notEmulated, storageFull } from './errors';
import { mediaFormat, type MediaFormat } from './formats';
import { asObject, onlyFields, optionalString, readJsonBody, type JsonObject } from './json';
import type { Album, UserLibrary } from './library';
import { mediaItemResource } from './resources';
import type { UploadedBytes } from './uploads';

/** "Maximum 50 media items per call." */
const MAX_ITEMS = 50;
/** SimpleMediaItem.fileName "shouldn't be more than 255 characters"; descriptions are limited to 1000. */
const FILE_NAME_MAX = 255;
const DESCRIPTION_MAX = 1000;

interface NewItem {
  uploadToken: string;
  fileName?: string;
  description?: string;
}

interface Planned extends NewItem {
  bytes: UploadedBytes;
  format?: MediaFormat;
  /** Why Google would refuse this one item (inside the 200), if it would. */
  failure?: string;
}

function parseItem(value: unknown, index: number): NewItem {
  const where = `new_media_items[${index}]`;
  const item = asObject(value, where);
  onlyFields(item, ['description', 'simpleMediaItem'], where);
  const simple = asObject(item.simpleMediaItem, `${where}.simple_media_item`);
  onlyFields(simple, ['uploadToken', 'fileName'], `${where}.simple_media_item`);
  const uploadToken = optionalString(simple, 'uploadToken', `${where}.simple_media_item.`);
  if (!uploadToken) throw invalidUploadToken();
  const fileName = optionalString(simple, 'fileName', `${where}.simple_media_item.`);
  const description = optionalString(item, 'description', `${where}.`);
  if (fileName !== undefined && [...fileName].length > FILE_NAME_MAX) throw invalidArgument(`The file name must be at most ${FILE_NAME_MAX} characters.`);
  if (description !== undefined && [...description].length > DESCRIPTION_MAX) throw invalidArgument(`The description must be at most ${DESCRIPTION_MAX} characters.`);
  return { uploadToken, fileName, description };
}

function parseRequest(body: JsonObject): { albumId?: string; items: NewItem[] } {
  onlyFields(body, ['albumId', 'newMediaItems', 'albumPosition'], '');
  if (body.albumPosition !== undefined) throw notEmulated('albumPosition');
  const list = body.newMediaItems;
  if (!Array.isArray(list) || list.length === 0) throw invalidArgument('Request must contain at least one media item.');
  if (list.length > MAX_ITEMS) throw invalidArgument('Request must have less than 50 items.');
  return { albumId: optionalString(body, 'albumId', ''), items: list.map(parseItem) };
}

/** "If an app created album id is specified ... each album can contain up to 20,000 media items." */
function targetAlbum(ctx: GoogleContext, library: UserLibrary, ex: Exchange, albumId: string | undefined, count: number): Album | undefined {
  if (albumId === undefined) return undefined;
  const album = library.album(albumId);
  if (!album) throw invalidArgument('The provided ID does not match any albums.');
  if (album.clientId !== ex.clientId) throw invalidArgument('No permission to add media items to this album.');
  if (album.itemIds.length + count > ctx.opts.photosAlbumMaxItems) {
    throw invalidArgument(`The album can hold at most ${ctx.opts.photosAlbumMaxItems} media items.`);
  }
  return album;
}

/** Every token must be usable (the whole call fails otherwise); each item may still fail on its own. */
function plan(ctx: GoogleContext, ex: Exchange, items: NewItem[]): Planned[] {
  const caller = { user: ex.user, clientId: ex.clientId };
  const seen = new Set<string>();
  return items.map((item) => {
    const bytes = ctx.photos.uploads.usable(item.uploadToken, caller);
    if (!bytes || seen.has(item.uploadToken)) throw invalidUploadToken();
    seen.add(item.uploadToken);
    const format = mediaFormat(item.fileName ?? bytes.fileName, bytes.contentType);
    const max = format?.kind === 'video' ? ctx.opts.photosMaxVideoBytes : ctx.opts.photosMaxPhotoBytes;
    const failure = !format
      ? 'NOT_IMAGE: There was an error while trying to create this media item.'
      : bytes.content.size > max
        ? `Failed: the ${format.kind} is larger than ${max} bytes. There was an error while trying to create this media item.`
        : undefined;
    return { ...item, bytes, format, failure };
  });
}

/** The account's storage is one pool for Drive and Photos; what this call would add must fit. */
function checkStorage(ctx: GoogleContext, ex: Exchange, library: UserLibrary, planned: Planned[]): void {
  const quota = ctx.opts.storageQuotaBytes;
  if (quota === undefined) return;
  const adding = planned.filter((p) => !p.failure).reduce((sum, p) => sum + p.bytes.content.size, 0);
  if (ctx.drives.of(ex.user).bytesUsed + library.bytesUsed + adding > quota) throw storageFull();
}

function createAll(ctx: GoogleContext, library: UserLibrary, album: Album | undefined, planned: Planned[], clientId: string) {
  const creationTime = new Date(ctx.opts.now()).toISOString();
  return planned.map((p) => {
    p.bytes.used = true;
    if (p.failure || !p.format) return { uploadToken: p.uploadToken, status: { code: 3, message: p.failure } };
    const filename = p.fileName ?? p.bytes.fileName ?? '';
    const fields = { clientId, filename, description: p.description, mimeType: p.format.mimeType, content: p.bytes.content, creationTime };
    const item = library.addItem(fields, album);
    return { uploadToken: p.uploadToken, status: { message: 'Success' }, mediaItem: mediaItemResource(item) };
  });
}

/** POST /v1/mediaItems:batchCreate. Item failures come back inside an HTTP 200, each with its status. */
export function batchCreateHandler(ctx: GoogleContext) {
  return async (ex: Exchange): Promise<Reply> => {
    const done = ctx.photos.quota.beginBatchCreate(ex.user);
    try {
      const request = parseRequest(await readJsonBody(ex));
      const library = ctx.photos.libraries.of(ex.user);
      const album = targetAlbum(ctx, library, ex, request.albumId, request.items.length);
      const planned = plan(ctx, ex, request.items);
      checkStorage(ctx, ex, library, planned);
      ex.fault({ fileName: planned[0]!.fileName });
      return jsonReply(200, { newMediaItemResults: createAll(ctx, library, album, planned, ex.clientId) });
    } finally {
      done();
    }
  };
}
