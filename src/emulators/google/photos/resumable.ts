import type { IncomingMessage } from 'node:http';
import { header, readBody, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import type { OpKind } from '../faults';
import type { Exchange, Outcome } from '../router';
import { contentLength } from '../upload/body';
import { ContentAccumulator } from '../upload/content';
import { fileHeaders, receiveBody } from './body';
import { invalidArgument, PhotosError } from './errors';
import { tokenReply } from './rawUpload';
import type { PhotosSession } from './uploads';

/** The session commands of guides/resumable-uploads. */
type Command = 'upload' | 'upload, finalize' | 'query';

export function classifySessionRequest(req: IncomingMessage): OpKind {
  return header(req, 'x-goog-upload-command')?.trim() === 'query' ? 'photosUploadQuery' : 'photosUploadChunk';
}

/** Step 1: POST /v1/uploads with X-Goog-Upload-Command: start and an empty body; answers the session URL. */
export async function startResumable(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const command = header(ex.req, 'x-goog-upload-command');
  if (command !== 'start') throw invalidArgument(`A resumable upload starts with X-Goog-Upload-Command: start, got '${command ?? ''}'.`);
  const rawSize = header(ex.req, 'x-goog-upload-raw-size');
  if (rawSize === undefined || !/^\d+$/.test(rawSize)) throw invalidArgument(`Invalid X-Goog-Upload-Raw-Size: '${rawSize ?? ''}'.`);
  if (Number(rawSize) > ctx.opts.photosMaxVideoBytes) {
    throw invalidArgument(`The upload exceeds the maximum size of ${ctx.opts.photosMaxVideoBytes} bytes.`);
  }
  await readBody(ex.req, 0).catch(() => {
    throw invalidArgument('The start request must have an empty body (Content-Length: 0).');
  });
  const files = fileHeaders(ex.req);
  ex.fault({ fileName: files.fileName });
  const session = ctx.photos.uploads.startSession({
    caller: { user: ex.user, clientId: ex.clientId },
    rawSize: Number(rawSize),
    ...files,
    committed: ContentAccumulator.empty(ctx.opts.keepContentMaxBytes),
    record: ctx.stats.openUpload('photosResumable', files.fileName ?? ''),
  });
  // The session URL points back at whatever host the client used, never at googleapis.com.
  const url = `http://${ex.req.headers.host}/v1/uploads?upload_id=${session.id}&upload_protocol=resumable`;
  const granularity = String(ctx.opts.photosChunkGranularity);
  return { status: 200, headers: { 'x-goog-upload-url': url, 'x-goog-upload-chunk-granularity': granularity, 'x-goog-upload-status': 'active' }, body: '' };
}

/** POST to the session URL: a chunk, the last chunk, or "how much do you have?". */
export async function sessionRequest(ctx: GoogleContext, ex: Exchange): Promise<Outcome> {
  const session = ctx.photos.uploads.findSession(ex.url.searchParams.get('upload_id'), { user: ex.user, clientId: ex.clientId });
  if (!session) throw new PhotosError(404, 'The upload session was not found.');
  const command = parseCommand(header(ex.req, 'x-goog-upload-command'));
  if (command === 'query') return query(ex, session);
  if (session.status === 'final') return tokenReply(session.token!, sizeHeaders(session));
  if (session.status === 'cancelled') throw cancelled(session);
  return chunk(ctx, ex, session, command === 'upload, finalize');
}

function parseCommand(raw: string | undefined): Command {
  const command = raw?.split(',').map((part) => part.trim()).join(', ');
  if (command === 'upload' || command === 'upload, finalize' || command === 'query') return command;
  throw invalidArgument(`Unsupported X-Goog-Upload-Command on an upload session: '${raw ?? ''}'.`);
}

/** "X-Goog-Upload-Status: active" and the size received; a final session answers its token again. */
async function query(ex: Exchange, session: PhotosSession): Promise<Reply> {
  await readBody(ex.req, 0).catch(() => {
    throw invalidArgument('A query must have an empty body.');
  });
  if (ex.fault({ fileName: session.fileName }) === 'expireSession') session.status = 'cancelled';
  if (session.status === 'final') return tokenReply(session.token!, sizeHeaders(session));
  return { status: 200, headers: sizeHeaders(session), body: '' };
}

function sizeHeaders(session: PhotosSession): Record<string, string> {
  const headers: Record<string, string> = { 'x-goog-upload-status': session.status };
  if (session.status !== 'cancelled') headers['x-goog-upload-size-received'] = String(session.committed.size);
  return headers;
}

function cancelled(session: PhotosSession): PhotosError {
  session.status = 'cancelled';
  return invalidArgument('The upload session was cancelled or has expired; start a new one.', sizeHeaders(session));
}

/** Step 3: bytes at X-Goog-Upload-Offset, in multiples of the granularity except the last. */
async function chunk(ctx: GoogleContext, ex: Exchange, session: PhotosSession, finalize: boolean): Promise<Outcome> {
  const { offset, length } = checkChunk(ctx, ex, session, finalize);
  const range = { start: offset, end: offset + length - 1, total: session.rawSize };
  const action = ex.fault({ fileName: session.fileName, range });
  if (action === 'expireSession') throw cancelled(session);
  const cutAt = typeof action === 'object' && 'partialCommit' in action ? action.partialCommit : undefined;

  const base = session.committed;
  // A whole-file "upload, finalize" from offset 0 replaces whatever the session held.
  const pending = offset === 0 ? ContentAccumulator.empty(ctx.opts.keepContentMaxBytes) : base.fork();
  const { prefix } = await receiveBody(ctx, ex.req, session.record, pending, { expected: length, max: length, cutAt });
  // Another request (a client retry while this one was still streaming) committed meanwhile.
  if (session.committed !== base) throw invalidArgument(`The chunk at offset ${offset} lost the race for this session; query it.`, sizeHeaders(session));
  if (prefix) {
    // An injected cut: part of the chunk reached storage, the answer never leaves.
    session.committed = prefix;
    return 'destroy';
  }
  session.committed = pending;
  if (!finalize) return { status: 200, headers: sizeHeaders(session), body: '' };
  session.status = 'final';
  const { fileName, contentType, caller } = session;
  session.token = ctx.photos.uploads.issueToken({ caller, content: pending.finish(), fileName, contentType });
  return tokenReply(session.token, sizeHeaders(session));
}

function checkChunk(ctx: GoogleContext, ex: Exchange, session: PhotosSession, finalize: boolean): { offset: number; length: number } {
  const rawOffset = header(ex.req, 'x-goog-upload-offset');
  if (rawOffset === undefined || !/^\d+$/.test(rawOffset)) throw invalidArgument(`Invalid X-Goog-Upload-Offset: '${rawOffset ?? ''}'.`);
  const length = contentLength(ex.req);
  if (length === undefined) throw invalidArgument('Upload commands need a Content-Length header.');
  const offset = Number(rawOffset);
  const committed = session.committed.size;
  // "Resume at the offset the server gave, unless you send upload, finalize, which may also start again at 0."
  if (offset !== committed && !(finalize && offset === 0)) {
    throw invalidArgument(`X-Goog-Upload-Offset ${offset} does not match the ${committed} bytes received; query the session and resume there.`, sizeHeaders(session));
  }
  const end = offset + length;
  if (end > session.rawSize) throw invalidArgument(`The chunk ends at byte ${end}, past X-Goog-Upload-Raw-Size ${session.rawSize}.`);
  if (finalize && end !== session.rawSize) {
    throw invalidArgument(`Finalizing at byte ${end}, but X-Goog-Upload-Raw-Size is ${session.rawSize}.`, sizeHeaders(session));
  }
  const granularity = ctx.opts.photosChunkGranularity;
  if (!finalize && length % granularity !== 0) {
    throw invalidArgument(`Chunk size ${length} is not a multiple of X-Goog-Upload-Chunk-Granularity ${granularity}; only the last chunk may be smaller.`);
  }
  return { offset, length };
}
