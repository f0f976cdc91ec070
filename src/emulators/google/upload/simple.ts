import { BodyTooLargeError, jsonReply, readBody, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import { DriveError } from '../errors';
import { parseJsonBody, parseNewFile, type NewFile } from '../drive/metadata';
import { checkCommonParams, fieldsProjector } from '../drive/params';
import { DEFAULT_FILE_FIELDS, FILE_SCHEMA, FOLDER_MIME, toFileResource } from '../drive/resource';
import type { Exchange } from '../router';
import { contentLength, uploadBody } from './body';
import { ContentAccumulator } from './content';
import { boundaryOf, MultipartError, parseMultipart } from './multipart';

/** Room for the metadata part and framing on top of the media limit. */
const MULTIPART_OVERHEAD = 256 * 1024;

/** uploadType=multipart and uploadType=media: "≤5 MB", the whole body in one request. */
export async function simpleUpload(ctx: GoogleContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  checkCommonParams(q);
  const uploadType = q.get('uploadType');
  if (uploadType !== 'multipart' && uploadType !== 'media') {
    throw new DriveError(400, 'invalid', `Invalid uploadType: '${uploadType ?? ''}'.`, { location: 'uploadType', locationType: 'parameter' });
  }
  const select = fieldsProjector(q.get('fields'), FILE_SCHEMA, DEFAULT_FILE_FIELDS);
  const maxMedia = ctx.opts.multipartMaxBytes;
  const limit = uploadType === 'multipart' ? maxMedia + MULTIPART_OVERHEAD : maxMedia;
  if ((contentLength(ex.req) ?? 0) > limit) throw tooLarge(maxMedia);

  const record = ctx.stats.openUpload(uploadType, uploadType === 'media' ? 'Untitled' : '');
  const body = await readBody(uploadBody(ctx, ex.req, record), limit).catch((err: unknown) => {
    throw err instanceof BodyTooLargeError ? tooLarge(maxMedia) : err;
  });
  const { meta, mediaType, media } = uploadType === 'multipart' ? parseMultipartUpload(body, ex) : mediaUpload(body, ex);
  if (media.length > maxMedia) throw tooLarge(maxMedia);
  record.fileName = meta.name;
  record.fileId = meta.id;

  const mimeType = meta.mimeType ?? mediaType;
  if (mimeType === FOLDER_MIME) throw new DriveError(400, 'badRequest', 'Folders cannot have content.');
  const action = ex.fault({ fileName: meta.name, fileId: meta.id });
  const content = ContentAccumulator.of(media, ctx.opts.keepContentMaxBytes).finish(action === 'corruptStored');
  const drive = ctx.drives.of(ex.user);
  const item = drive.create(meta, mimeType, content, ctx.opts.storageQuotaBytes);
  ctx.dailyUploads.add(ex.user, media.length);
  record.fileId = item.id;
  return jsonReply(200, select(toFileResource(item, drive)));
}

function parseMultipartUpload(body: Buffer, ex: Exchange): { meta: NewFile; mediaType: string; media: Buffer } {
  try {
    const parts = parseMultipart(body, boundaryOf(ex.req.headers['content-type']));
    return { meta: parseNewFile(parseJsonBody(parts.metadata), { requireName: true }), mediaType: parts.mediaType, media: parts.media };
  } catch (err) {
    if (err instanceof MultipartError) throw new DriveError(400, 'badContent', `Bad multipart request: ${err.message}`);
    throw err;
  }
}

/** uploadType=media carries no metadata: Drive names the file "Untitled". */
function mediaUpload(body: Buffer, ex: Exchange): { meta: NewFile; mediaType: string; media: Buffer } {
  return {
    meta: parseNewFile({}, { requireName: false }),
    mediaType: ex.req.headers['content-type'] ?? 'application/octet-stream',
    media: body,
  };
}

function tooLarge(max: number): DriveError {
  return new DriveError(413, 'uploadTooLarge', `Simple uploads are limited to ${max} bytes of content; use uploadType=resumable.`);
}
