import { jsonReply, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import type { Exchange, Route } from '../router';
import { photosAuth } from './auth';
import { invalidArgument, notFound } from './errors';
import { asObject, onlyFields, optionalString, pageSize, readJsonBody } from './json';
import type { Album, UserLibrary } from './library';
import { page } from './paging';
import { albumResource } from './resources';

/** "The title is restricted to 500 characters" (guides/manage-albums). */
const TITLE_MAX = 500;

/** An album this app created, as reads see it: anything else "does not exist" for the app. */
export function appAlbum(library: UserLibrary, id: string, clientId: string): Album {
  const album = library.album(id);
  if (!album || album.clientId !== clientId) throw notFound();
  return album;
}

export function albumRoutes(ctx: GoogleContext): Route[] {
  async function create(ex: Exchange): Promise<Reply> {
    const body = await readJsonBody(ex);
    onlyFields(body, ['album'], '');
    const album = asObject(body.album ?? {}, 'album');
    onlyFields(album, ['title'], 'album');
    const title = optionalString(album, 'title', 'album.') ?? '';
    if ([...title].length > TITLE_MAX) throw invalidArgument(`The album title must be at most ${TITLE_MAX} characters.`);
    ex.fault();
    const library = ctx.photos.libraries.of(ex.user);
    return jsonReply(200, albumResource(library.addAlbum(title, ex.clientId), library));
  }

  async function get(ex: Exchange): Promise<Reply> {
    const library = ctx.photos.libraries.of(ex.user);
    const album = appAlbum(library, ex.params[0]!, ex.clientId);
    ex.fault();
    return jsonReply(200, albumResource(album, library));
  }

  /** Only app-created albums exist for an app since 2025-03-31 (excludeNonAppCreatedData is moot). */
  async function list(ex: Exchange): Promise<Reply> {
    const q = ex.url.searchParams;
    const size = pageSize(q.get('pageSize') ?? undefined, 20, 50);
    const library = ctx.photos.libraries.of(ex.user);
    const mine = library.allAlbums().filter((album) => album.clientId === ex.clientId);
    const { items, nextPageToken } = page(mine, 'albums', q.get('pageToken') ?? undefined, size);
    ex.fault();
    const albums = items.map((album) => albumResource(album, library));
    return jsonReply(200, { ...(albums.length > 0 ? { albums } : {}), ...(nextPageToken ? { nextPageToken } : {}) });
  }

  const albums = /^\/v1\/albums$/;
  return [
    { methods: ['POST'], path: albums, group: 'photos', auth: photosAuth('append'), op: () => 'photosAlbumCreate', handle: create },
    { methods: ['GET'], path: albums, group: 'photos', auth: photosAuth('read'), op: () => 'photosAlbumList', handle: list },
    { methods: ['GET'], path: /^\/v1\/albums\/([^/:]+)$/, group: 'photos', auth: photosAuth('read'), op: () => 'photosAlbumGet', handle: get },
  ];
}
