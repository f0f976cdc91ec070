import type { Config } from '../config';
import { listingUrlFor, parseArchivePath } from '../shared/gallery-url';
import { transferJobSchema } from '../shared/job';
import type { TransferInput } from '../shared/types';

export type DecodeResult = { ok: true; input: TransferInput } | { ok: false; reason: string };

/**
 * Turns a message body into the workflow input, or says why it cannot be one. The reason names fields and
 * rules only, never values, so it is safe to log (the body carries a sealed refresh token).
 */
export function decodeJob(content: Buffer, config: Pick<Config, 'GALLERY_API_URL'>): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = transferJobSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    return { ok: false, reason: issues.join('; ') };
  }
  const job = parsed.data;
  // The API derived gallery_id from archive_url; a mismatch means the message was not built by us.
  if (parseArchivePath(new URL(job.archive_url))?.galleryId !== job.gallery_id) {
    return { ok: false, reason: 'archive_url: does not point at gallery_id' };
  }
  return {
    ok: true,
    input: {
      transferId: job.transfer_id,
      galleryId: job.gallery_id,
      galleryName: job.gallery_name,
      archiveUrl: job.archive_url,
      listingUrl: listingUrlFor(job.archive_url, config.GALLERY_API_URL),
      archiveType: job.archive_type,
      cloudType: job.cloud_type,
      sealedRefreshToken: job.sealed_refresh_token,
      requestedAt: job.created_at,
      ...(job.separate_copy ? { separateCopy: true } : {}),
    },
  };
}
