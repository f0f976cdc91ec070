import type { IncomingMessage } from 'node:http';
import type { Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { diskPath } from '../disk/paths';
import { alreadyExists, payloadTooLarge } from '../errors';
import { storageDamage, type StorageDamage } from '../faults';
import type { Exchange } from '../router';
import { ContentAccumulator, type StoredContent } from './content';
import type { UploadLink } from './links';

/**
 * PUT <href> with the raw file: 201 once the whole body arrived and the file is on the Disk, 202 when it
 * arrived but shows up only later (finalizeDelayMs: "accepted, not yet on Disk"). A body that is cut off
 * stores nothing and leaves the href usable; a spent href answers 409 so a client whose 201 got lost knows
 * to read the metadata instead.
 */
export async function receiveUpload(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const link = ctx.links.find(ex.params[0]!);
  checkStillPossible(ctx, link);
  const disk = ctx.disks.of(link.user);
  const { maxFileBytes, storageQuotaBytes } = ctx.opts;
  const declared = ex.req.headers['content-length'];
  if (declared !== undefined) {
    if (Number(declared) > maxFileBytes) throw payloadTooLarge(maxFileBytes);
    disk.checkQuota(link.path, Number(declared), storageQuotaBytes);
  }
  const damage = storageDamage(ex.fault({ path: link.path }));

  const content = await receiveBody(ctx, ex.req, link, damage);
  // Another PUT to this href, or another upload to this path, may have finished meanwhile.
  checkStillPossible(ctx, link);
  disk.checkQuota(link.path, content.size, storageQuotaBytes);
  const visibleAt = ctx.opts.now() + ctx.opts.finalizeDelayMs;
  disk.putFile(link.path, content, visibleAt);
  link.done = true;
  ctx.operations.succeed(link.operationId, visibleAt);
  return { status: ctx.opts.finalizeDelayMs > 0 ? 202 : 201, body: '' };
}

function checkStillPossible(ctx: YandexContext, link: UploadLink): void {
  if (link.done) throw alreadyExists(diskPath(link.path));
  ctx.disks.of(link.user).checkFileTarget(link.path, link.overwrite);
}

/** Streams the body through the shared upload link, hashing it; limits apply as bytes arrive (chunked bodies too). */
async function receiveBody(ctx: YandexContext, req: IncomingMessage, link: UploadLink, damage?: StorageDamage): Promise<StoredContent> {
  const { maxFileBytes, storageQuotaBytes, keepContentMaxBytes } = ctx.opts;
  const disk = ctx.disks.of(link.user);
  const content = new ContentAccumulator(keepContentMaxBytes, damage);
  for await (const piece of req as AsyncIterable<Buffer>) {
    await ctx.uploadLink.take(piece.length);
    ctx.stats.received(link.path, piece.length);
    content.write(piece);
    if (content.size > maxFileBytes) throw payloadTooLarge(maxFileBytes);
    disk.checkQuota(link.path, content.size, storageQuotaBytes);
  }
  return content.finish();
}
