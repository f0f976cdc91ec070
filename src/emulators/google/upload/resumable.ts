import type { IncomingMessage } from 'node:http';
import { header, jsonReply, readBody, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import { readMetadata } from '../drive/files';
import { parseNewFile } from '../drive/metadata';
import { checkCommonParams, fieldsProjector } from '../drive/params';
import { DEFAULT_FILE_FIELDS, FILE_SCHEMA, FOLDER_MIME, toFileResource } from '../drive/resource';
import { badRequest, DriveError } from '../errors';
import type { OpKind } from '../faults';
import type { Exchange } from '../router';
import { contentLength, throughLink, uploadBody } from './body';
import { ContentAccumulator } from './content';
import { ContentRangeError, parseContentRange } from './contentRange';
import { sessionNotFound, type UploadSession } from './sessions';

/** "Create chunks in multiples of 256 KB (256 x 1024 bytes) in size, except for the final chunk." */
const CHUNK_GRANULARITY = 256 * 1024;

export function classifySessionRequest(req: IncomingMessage): OpKind {
  return /^\s*bytes \*\//.test(req.headers['content-range'] ?? '') ? 'statusQuery' : 'chunk';
}

/** POST ...?uploadType=resumable: validates everything a create needs, then hands out a session URI. */
export async function initResumable(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  checkCommonParams(q);
  fieldsProjector(q.get('fields'), FILE_SCHEMA, DEFAULT_FILE_FIELDS);
  const declared = header(ex.req, 'x-upload-content-length');
  if (declared !== undefined && !/^\d+$/.test(declared)) throw badRequest(`Invalid X-Upload-Content-Length: '${declared}'`);
  const total = declared === undefined ? undefined : Number(declared);
  const meta = parseNewFile(await readMetadata(ex, throughLink(ctx.uploadLink, ex.req)), { requireName: true });
  // "X-Upload-Content-Type. Optional ... If not specified, the type is set to application/octet-stream."
  const mimeType = meta.mimeType ?? header(ex.req, 'x-upload-content-type') ?? 'application/octet-stream';
  if (mimeType === FOLDER_MIME) throw badRequest('Folders cannot be uploaded; create them with metadata only.');
  ex.fault({ fileName: meta.name, fileId: meta.id });
  ctx.drives.of(ex.user).checkCreate(meta, total, ctx.opts.storageQuotaBytes);
  const session = ctx.sessions.create({
    user: ex.user,
    meta,
    mimeType,
    total,
    committed: ContentAccumulator.empty(ctx.opts.keepContentMaxBytes),
    fields: q.get('fields'),
    record: ctx.stats.openUpload('resumable', meta.name, meta.id),
  });
  // The session URI points back at whatever host the client used, never at googleapis.com.
  const location = `http://${ex.req.headers.host}/upload/drive/v3/files?uploadType=resumable&upload_id=${session.id}`;
  return { status: 200, headers: { location, 'x-guploader-uploadid': session.id }, body: '' };
}

/** PUT (or POST, as rclone does) to the session URI: a chunk or a status query. */
export async function sessionRequest(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const session = ctx.sessions.find(ex.url.searchParams.get('upload_id'), ex.user);
  // A finished session keeps answering with its file, e.g. when the final answer was lost.
  if (session.fileId !== undefined) return completed(ctx, session, 200);
  try {
    return await (ex.op === 'statusQuery' ? statusQuery(ctx, ex, session) : chunk(ctx, ex, session));
  } catch (err) {
    if (err instanceof ContentRangeError) throw badRequest(err.message);
    throw err;
  }
}

// `Content-Range: bytes */TOTAL` (or `bytes */*`) with an empty body: "how much do you have?"
async function statusQuery(ctx: GoogleContext, ex: Exchange, session: UploadSession): Promise<Reply> {
  await readBody(ex.req, 0).catch(() => {
    throw badRequest('A status query must have an empty body.');
  });
  const range = parseContentRange(ex.req.headers['content-range']!);
  // `bytes */*` is always a fair question; a number must agree with what is known.
  if (range.total !== undefined) checkTotal(session, range.total);
  const action = ex.fault({ fileName: session.meta.name, fileId: session.meta.id });
  if (action === 'expireSession') throw expire(session);
  // Only an empty file can be complete without a chunk having completed it.
  if (range.total !== undefined && range.total === session.committed.size) return complete(ctx, session, ex.user);
  return resumeIncomplete(session);
}

async function chunk(ctx: GoogleContext, ex: Exchange, session: UploadSession): Promise<Reply> {
  const length = contentLength(ex.req);
  if (length === undefined) throw badRequest('Chunk requests need a Content-Length header.');
  const rangeHeader = ex.req.headers['content-range'];
  // No Content-Range: "a single request" carrying the whole file.
  const range = rangeHeader === undefined ? { start: 0, end: length - 1, total: length } : parseContentRange(rangeHeader);
  if (!('start' in range)) throw badRequest('A status query must have an empty body.');
  if (range.end - range.start + 1 !== length) {
    throw badRequest(`Content-Length ${length} does not match Content-Range bytes ${range.start}-${range.end}.`);
  }
  const committed = session.committed.size;
  if (range.start !== committed) {
    throw badRequest(`Chunk starts at byte ${range.start} but ${committed} bytes are committed; query the status and resume from there.`);
  }
  checkTotal(session, range.total);
  const total = range.total ?? session.total;
  const final = total !== undefined && range.end + 1 === total;
  if (!final && length % CHUNK_GRANULARITY !== 0) {
    throw badRequest(`Chunk size ${length} is not a multiple of ${CHUNK_GRANULARITY} bytes; only the final chunk may be smaller.`);
  }
  const drive = ctx.drives.of(ex.user);
  drive.checkQuota(committed + length, ctx.opts.storageQuotaBytes);

  const action = ex.fault({ fileName: session.meta.name, fileId: session.meta.id, range: { start: range.start, end: range.end, total } });
  if (action === 'expireSession') throw expire(session);
  if (action === 'corruptStored') session.corrupt = true;
  const partial = typeof action === 'object' && 'partialCommit' in action ? action.partialCommit : undefined;

  const base = session.committed;
  const received = await receive(ctx, ex, session, length, partial);
  // Another request (e.g. a client retry while this one was still streaming) committed meanwhile.
  if (session.committed !== base) throw badRequest(`Chunk at byte ${range.start} lost the race for this session; query the status.`);
  session.committed = received;
  session.total = total;
  if (final && partial === undefined) return complete(ctx, session, ex.user);
  return resumeIncomplete(session);
}

/**
 * Reads the chunk into a fork of the committed state. The caller commits the fork only after the
 * whole chunk arrived; a cut-off body throws here and nothing of it is committed.
 */
async function receive(ctx: GoogleContext, ex: Exchange, session: UploadSession, length: number, partial?: number): Promise<ContentAccumulator> {
  const pending = session.committed.fork();
  let prefix: ContentAccumulator | undefined;
  let received = 0;
  for await (const piece of uploadBody(ctx, ex.req, session.record)) {
    let rest = piece;
    if (partial !== undefined && !prefix && received + piece.length >= partial) {
      const cut = partial - received;
      pending.write(piece.subarray(0, cut));
      prefix = pending.fork();
      rest = piece.subarray(cut);
    }
    pending.write(rest);
    received += piece.length;
  }
  if (received !== length) throw badRequest(`Received ${received} bytes, Content-Length said ${length}.`);
  return prefix ?? pending;
}

/** The total must agree with X-Upload-Content-Length and with every earlier chunk. */
function checkTotal(session: UploadSession, total: number | undefined): void {
  if (session.total !== undefined && total !== session.total) {
    throw badRequest(`Content-Range total '${total ?? '*'}' contradicts the declared size ${session.total}.`);
  }
  if (total !== undefined && total < session.committed.size) {
    throw badRequest(`Content-Range total ${total} is smaller than the ${session.committed.size} bytes already received.`);
  }
}

function complete(ctx: GoogleContext, session: UploadSession, user: string): Reply {
  const drive = ctx.drives.of(user);
  try {
    const item = drive.create(session.meta, session.mimeType, session.committed.finish(session.corrupt), ctx.opts.storageQuotaBytes);
    session.fileId = item.id;
    session.record.fileId = item.id;
    ctx.dailyUploads.add(user, session.committed.size);
  } catch (err) {
    // e.g. the pre-generated id got taken meanwhile (409): this session can never finish.
    session.dead = true;
    throw err;
  }
  // "200 for update, 201 for create" (rclone's reading of the docs); this emulator only creates.
  return completed(ctx, session, 201);
}

function completed(ctx: GoogleContext, session: UploadSession, status: number): Reply {
  const drive = ctx.drives.of(session.user);
  const item = drive.find(session.fileId!);
  if (!item) throw sessionNotFound();
  const select = fieldsProjector(session.fields, FILE_SCHEMA, DEFAULT_FILE_FIELDS);
  return jsonReply(status, select(toFileResource(item, drive)));
}

/** "308 Resume Incomplete ... If the response doesn't have a Range header, no bytes have been received." */
function resumeIncomplete(session: UploadSession): Reply {
  const size = session.committed.size;
  const range: Record<string, string> = size > 0 ? { range: `bytes=0-${size - 1}` } : {};
  return { status: 308, headers: { ...range, 'x-guploader-uploadid': session.id }, body: '' };
}

function expire(session: UploadSession): DriveError {
  session.dead = true;
  return sessionNotFound();
}
