import type { IncomingMessage } from 'node:http';
import { header } from '../../shared/http';
import type { GoogleContext } from '../context';
import type { UploadRecord } from '../stats';
import { uploadBody } from '../upload/body';
import type { ContentAccumulator } from '../upload/content';
import { invalidArgument } from './errors';

/** The X-Goog-Upload-* headers a request names the file with. */
export function fileHeaders(req: IncomingMessage): { fileName?: string; contentType?: string } {
  return { fileName: header(req, 'x-goog-upload-file-name'), contentType: header(req, 'x-goog-upload-content-type') };
}

/**
 * Streams a request body into `into` (through the shared upload link, counted in the stats). With `cutAt`, a fork
 * taken after that many bytes is returned too: what an interrupted write had persisted.
 */
export async function receiveBody(
  ctx: GoogleContext,
  req: IncomingMessage,
  record: UploadRecord,
  into: ContentAccumulator,
  limits: { expected?: number; max: number; cutAt?: number },
): Promise<{ received: number; prefix?: ContentAccumulator }> {
  let received = 0;
  let prefix: ContentAccumulator | undefined;
  for await (const piece of uploadBody(ctx, req, record)) {
    if (received + piece.length > limits.max) throw invalidArgument(`The upload exceeds the maximum size of ${limits.max} bytes.`);
    let rest = piece;
    if (limits.cutAt !== undefined && !prefix && received + piece.length >= limits.cutAt) {
      into.write(piece.subarray(0, limits.cutAt - received));
      prefix = into.fork();
      rest = piece.subarray(limits.cutAt - received);
    }
    into.write(rest);
    received += piece.length;
  }
  if (limits.expected !== undefined && received !== limits.expected) {
    throw invalidArgument(`Received ${received} bytes, Content-Length said ${limits.expected}.`);
  }
  return { received, prefix };
}
