import { jsonReply, type Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { tokenOwner } from '../disk/auth';
import { boolParam } from '../disk/params';
import { parseDiskPath } from '../disk/paths';
import type { Exchange, Route } from '../router';
import { uploadByUrl } from './byUrl';
import { receiveUpload } from './put';

export function uploadRoutes(ctx: YandexContext): Route[] {
  /** GET /resources/upload: checks the target now, then hands out a PUT href that lives uploadLinkTtlMs. */
  async function uploadLink(ex: Exchange): Promise<Reply> {
    const q = ex.url.searchParams;
    const path = parseDiskPath(q.get('path'));
    const overwrite = boolParam(q, 'overwrite') ?? false;
    ctx.disks.of(ex.user).checkFileTarget(path, overwrite);
    ex.fault({ path });
    const expiresAt = ctx.opts.now() + ctx.opts.uploadLinkTtlMs;
    const operationId = ctx.operations.create(ex.user, expiresAt);
    const link = ctx.links.create(ex.base, { operationId, user: ex.user, path, overwrite, expiresAt });
    return jsonReply(200, { operation_id: operationId, href: link.href, method: 'PUT', templated: false });
  }

  const user = (ex: Exchange): string => tokenOwner(ctx, ex.req);
  const upload = /^\/v1\/disk\/resources\/upload\/?$/;
  return [
    { methods: ['GET'], path: upload, group: 'disk', op: 'uploadLink', user, write: true, handle: uploadLink },
    { methods: ['POST'], path: upload, group: 'disk', op: 'uploadByUrl', user, write: true, handle: (ex) => uploadByUrl(ctx, ex) },
    {
      methods: ['PUT'],
      path: /^\/upload-target\/([^/]+)$/,
      group: 'disk',
      op: 'upload',
      // No Authorization header: the href is the capability, and its owner pays for the write.
      user: (ex) => ctx.links.find(ex.params[0]!).user,
      write: true,
      handle: (ex) => receiveUpload(ctx, ex),
    },
  ];
}
