import { jsonReply, type Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { boolParam } from '../disk/params';
import { parseDiskPath } from '../disk/paths';
import { fieldValidation, payloadTooLarge } from '../errors';
import { storageDamage, type StorageDamage } from '../faults';
import type { Exchange } from '../router';
import { ContentAccumulator, type StoredContent } from './content';

interface Job {
  user: string;
  path: string;
  source: URL;
  disableRedirects: boolean;
  operationId: string;
  /** An injected fault: what gets stored is not what was downloaded. */
  damage?: StorageDamage;
}

/**
 * POST /resources/upload?url=…&path=…: 202 with a link to the operation, then the emulator
 * downloads the URL itself. "If an error occurs, Yandex Disk doesn't try to download the file again."
 */
export async function uploadByUrl(ctx: YandexContext, ex: Exchange): Promise<Reply> {
  const q = ex.url.searchParams;
  const source = parseSource(q.get('url'));
  const path = parseDiskPath(q.get('path'));
  const disableRedirects = boolParam(q, 'disable_redirects') ?? false;
  ctx.disks.of(ex.user).checkFileTarget(path, false);
  const damage = storageDamage(ex.fault({ path }));
  const operationId = ctx.operations.create(ex.user);
  ctx.stats.uploadsByUrl += 1;
  const job: Job = { user: ex.user, path, source, disableRedirects, operationId, damage };
  ctx.background.run((signal) => runJob(ctx, job, signal));
  return jsonReply(202, { href: `${ex.base}/v1/disk/operations/${operationId}`, method: 'GET', templated: false });
}

function parseSource(raw: string | null): URL {
  if (!raw) throw fieldValidation('url', 'This field is required.');
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw fieldValidation('url', `"${raw}" is not an http(s) URL.`);
  return url;
}

async function runJob(ctx: YandexContext, job: Job, signal: AbortSignal): Promise<void> {
  try {
    const content = await download(ctx, job, signal);
    const disk = ctx.disks.of(job.user);
    // The path may have been taken while the download ran: upload by URL never overwrites.
    disk.checkFileTarget(job.path, false);
    const visibleAt = ctx.opts.now() + ctx.opts.finalizeDelayMs;
    disk.putFile(job.path, content, visibleAt);
    ctx.operations.succeed(job.operationId, visibleAt);
  } catch {
    ctx.operations.fail(job.operationId);
  }
}

async function download(ctx: YandexContext, job: Job, signal: AbortSignal): Promise<StoredContent> {
  // With redirects disabled, Node's fetch hands back the 3xx itself, which is not ok: the operation fails.
  const res = await fetch(job.source, { redirect: job.disableRedirects ? 'manual' : 'follow', signal });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`source answered ${res.status}`);
  }
  const { maxFileBytes, storageQuotaBytes, keepContentMaxBytes } = ctx.opts;
  const disk = ctx.disks.of(job.user);
  const content = new ContentAccumulator(keepContentMaxBytes, job.damage);
  for await (const chunk of res.body) {
    const piece = Buffer.from(chunk);
    await ctx.fetchLink.take(piece.length);
    ctx.stats.bytesFetched += piece.length;
    content.write(piece);
    if (content.size > maxFileBytes) throw payloadTooLarge(maxFileBytes);
    disk.checkQuota(job.path, content.size, storageQuotaBytes);
  }
  return content.finish();
}
