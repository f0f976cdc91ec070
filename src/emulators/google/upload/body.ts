import type { IncomingMessage } from 'node:http';
import type { Link } from '../../shared/link';
import type { GoogleContext } from '../context';
import type { UploadRecord } from '../stats';

/**
 * An /upload request body as it arrives, never faster than the shared upload link. Each piece is
 * awaited before the next is pulled, so a slow link pushes back on the sender through TCP.
 */
export async function* throughLink(link: Link, body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const piece of body) {
    await link.take(piece.length);
    yield piece;
  }
}

/** File bytes of an upload: throttled, and counted both globally and for the file's record. */
export async function* uploadBody(ctx: GoogleContext, req: IncomingMessage, record: UploadRecord): AsyncGenerator<Buffer> {
  for await (const piece of throughLink(ctx.uploadLink, req)) {
    ctx.stats.uploadBytesReceived += piece.length;
    record.bytes += piece.length;
    yield piece;
  }
}

/** Content-Length as a number; undefined when absent (chunked transfer encoding). */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  return raw === undefined ? undefined : Number(raw);
}
