import { jsonReply, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import type { Exchange, Route } from '../router';
import { appAlbum } from './albums';
import { photosAuth } from './auth';
import { invalidArgument, notEmulated, notFound } from './errors';
import { onlyFields, optionalString, pageSize, readJsonBody } from './json';
import type { MediaItem } from './library';
import { page } from './paging';
import { mediaItemResource } from './resources';
import { batchCreateHandler } from './batchCreate';

/** "The default pageSize is 25, the maximum is 100." */
const DEFAULT_PAGE = 25;
const MAX_PAGE = 100;

function itemsReply(found: { items: MediaItem[]; nextPageToken?: string }): Reply {
  const mediaItems = found.items.map(mediaItemResource);
  return jsonReply(200, { ...(mediaItems.length > 0 ? { mediaItems } : {}), ...(found.nextPageToken ? { nextPageToken: found.nextPageToken } : {}) });
}

export function mediaItemRoutes(ctx: GoogleContext): Route[] {
  const appItems = (ex: Exchange): MediaItem[] =>
    ctx.photos.libraries.of(ex.user).allItems().filter((item) => item.clientId === ex.clientId);

  /** The album's items in album order, or every app-created item; filters are not emulated. */
  async function search(ex: Exchange): Promise<Reply> {
    const body = await readJsonBody(ex);
    onlyFields(body, ['albumId', 'pageSize', 'pageToken', 'filters', 'orderBy'], '');
    const albumId = optionalString(body, 'albumId', '');
    if (albumId !== undefined && body.filters !== undefined) throw invalidArgument('An album ID and filters cannot be set together.');
    if (body.filters !== undefined || body.orderBy !== undefined) throw notEmulated('mediaItems.search filters/orderBy');
    const size = pageSize(body.pageSize, DEFAULT_PAGE, MAX_PAGE);
    const library = ctx.photos.libraries.of(ex.user);
    const items = albumId === undefined ? appItems(ex) : library.itemsOf(appAlbum(library, albumId, ex.clientId));
    const found = page(items, `search:${albumId ?? ''}`, optionalString(body, 'pageToken', ''), size);
    ex.fault();
    return itemsReply(found);
  }

  async function list(ex: Exchange): Promise<Reply> {
    const q = ex.url.searchParams;
    const found = page(appItems(ex), 'list', q.get('pageToken') ?? undefined, pageSize(q.get('pageSize') ?? undefined, DEFAULT_PAGE, MAX_PAGE));
    ex.fault();
    return itemsReply(found);
  }

  async function get(ex: Exchange): Promise<Reply> {
    const item = ctx.photos.libraries.of(ex.user).item(ex.params[0]!);
    if (!item || item.clientId !== ex.clientId) throw notFound();
    ex.fault();
    return jsonReply(200, mediaItemResource(item));
  }

  const read = photosAuth('read');
  return [
    { methods: ['POST'], path: /^\/v1\/mediaItems:batchCreate$/, group: 'photos', auth: photosAuth('append'), op: () => 'photosBatchCreate', handle: batchCreateHandler(ctx) },
    { methods: ['POST'], path: /^\/v1\/mediaItems:search$/, group: 'photos', auth: read, op: () => 'photosMediaSearch', handle: search },
    { methods: ['GET'], path: /^\/v1\/mediaItems$/, group: 'photos', auth: read, op: () => 'photosMediaList', handle: list },
    { methods: ['GET'], path: /^\/v1\/mediaItems\/([^/:]+)$/, group: 'photos', auth: read, op: () => 'photosMediaGet', handle: get },
  ];
}
