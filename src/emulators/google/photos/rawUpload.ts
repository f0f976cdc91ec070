import { header, mediaType, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import type { Exchange } from '../router';
import { contentLength } from '../upload/body';
import { ContentAccumulator } from '../upload/content';
import { fileHeaders, receiveBody } from './body';
import { invalidArgument } from './errors';

/** The upload token travels as the raw body of a 200. */
export const tokenReply = (token: string, headers: Record<string, string> = {}): Reply => ({
  status: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body: token,
});

/**
 * POST /v1/uploads with X-Goog-Upload-Protocol: raw and the bytes as application/octet-stream (guides/upload-media).
 * Anything but raw or resumable is refused rather than guessed at.
 */
export async function rawUpload(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const protocol = header(ex.req, 'x-goog-upload-protocol');
  if (protocol !== 'raw') throw invalidArgument(`X-Goog-Upload-Protocol must be 'raw' or 'resumable', got '${protocol ?? ''}'.`);
  if (mediaType(ex.req) !== 'application/octet-stream') {
    throw invalidArgument(`Raw uploads must be sent as application/octet-stream, got '${ex.req.headers['content-type'] ?? ''}'.`);
  }
  const files = fileHeaders(ex.req);
  const record = ctx.stats.openUpload('photosRaw', files.fileName ?? '');
  const content = ContentAccumulator.empty(ctx.opts.keepContentMaxBytes);
  await receiveBody(ctx, ex.req, record, content, { expected: contentLength(ex.req), max: ctx.opts.photosMaxVideoBytes });
  ex.fault({ fileName: files.fileName });
  const caller = { user: ex.user, clientId: ex.clientId };
  return tokenReply(ctx.photos.uploads.issueToken({ caller, content: content.finish(), ...files }));
}
