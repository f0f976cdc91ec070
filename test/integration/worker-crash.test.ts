import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { OpKind } from '../../src/emulators/google';
import { assertTree, driveNodes, photosNodes, SpecFile, TreeNode } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * The worker process is SIGKILLed in the middle of a multi-chunk upload and started again: the transfer
 * resumes the same upload session from the offset the destination reports, asks the gallery only for the rest
 * (Range), and ends with exactly one copy of every file. Google Drive and Google Photos (their protocols differ).
 */

const KiB = 1024;
const CHUNK = 256 * KiB;
let stack: Stack;

before(async () => {
  stack = await startStack({
    workerProcess: true,
    env: { MULTIPART_MAX_BYTES: String(256 * KiB), UPLOAD_CHUNK_BYTES: String(CHUNK), GOOGLE_PHOTOS_CHUNK_BYTES: String(CHUNK), FILE_HEARTBEAT_TIMEOUT_SECONDS: '3' },
  });
});
after(async () => stack?.close());

const DESTINATIONS = [
  { cloudType: 'google_drive', chunk: 'chunk', session: 'resumable', tree: () => driveNodes(stack.google), galleryId: 777 },
  { cloudType: 'google_photos', chunk: 'photosUploadChunk', session: 'photosResumable', tree: () => photosNodes(stack.google), galleryId: 778 },
] as const satisfies ReadonlyArray<{ cloudType: string; chunk: OpKind; session: string; tree(): TreeNode[]; galleryId: number }>;

for (const destination of DESTINATIONS) test(`${destination.cloudType}: a worker killed mid-upload resumes the same session, re-sends at most the lost chunk, reads the rest with Range; no duplicates`, async (t) => {
  const base = destination.galleryId * 1000;
  const big: SpecFile = { id: base + 1, name: 'Originals/big.mov', size: 24 * CHUNK + 1234 };
  const files: SpecFile[] = [big, { id: base + 2, name: 'Originals/a.jpg', size: 100 * KiB }, { id: base + 3, name: 'b.jpg', size: 3 * KiB }];
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId: String(destination.galleryId), hash, files });
  // One emulator for both destinations: what an earlier test sent of its big.mov is not this one's.
  const receivedBefore = stack.google.uploadBytesReceivedFor('big.mov');
  // Slow the big file down so the kill lands mid-upload, after a few heartbeats carried checkpoints
  // (heartbeats are throttled to 0.8 × the 3 s heartbeat timeout).
  stack.gallery.faultFile(big.id, [{ slowBytesPerSecond: 512 * 1024 }]);

  let killed: Promise<void> | null = null;
  let killedAtOffset = -1;
  // Where each chunk request of the big file started, after the kill (observe-only rule: it never fires).
  const startsAfterKill: number[] = [];
  stack.google.faults.add({
    op: destination.chunk,
    when: (ctx) => {
      if (killed && ctx.fileName === 'big.mov' && ctx.range) startsAfterKill.push(ctx.range.start);
      return false;
    },
    action: { status: 599 },
  });
  stack.google.faults.add({
    op: destination.chunk,
    times: 1,
    // When the 17th chunk of the big file arrives, kill the worker (the chunk itself is then lost with it).
    when: (ctx) => {
      if (killed || !ctx.range || ctx.range.start < 16 * CHUNK) return false;
      killedAtOffset = ctx.range.start;
      killed = stack.worker.kill('SIGKILL');
      return true;
    },
    action: 'reset',
  });

  const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${destination.galleryId}/${hash}?mod=web`, gallery_name: 'Crash', cloud_type: destination.cloudType });
  assert.ok(transferId);
  const resultPromise = stack.result(transferId);
  await waitUntil(() => killed !== null, 60_000, 'the kill at the 17th chunk of big.mov');
  await killed;
  await stack.worker.start();

  const result = (await resultPromise) as { state: string; filesDone: number };
  assert.equal(result.state, 'succeeded');
  assert.equal(result.filesDone, files.length);
  assertTree(destination.tree(), 'Crash', files);

  // Resumes the same session: one resumable upload of big.mov, however many workers took part.
  const sessions = stack.google.stats.uploadRecords().filter((r) => r.kind === destination.session && r.fileName === 'big.mov');
  assert.equal(sessions.length, 1, `upload sessions of big.mov: ${JSON.stringify(sessions)}`);
  // Re-sends at most the lost chunk: the restarted worker's first chunk is the one the kill lost (what Drive had
  // is not sent again), and Drive received no more than one chunk's worth of bytes twice.
  assert.equal(killedAtOffset, 16 * CHUNK);
  assert.equal(startsAfterKill[0], killedAtOffset, `chunk starts after the kill: ${JSON.stringify(startsAfterKill)}`);
  const resent = stack.google.uploadBytesReceivedFor('big.mov') - receivedBefore - big.size;
  assert.ok(resent >= 0 && resent <= CHUNK, `bytes Drive received twice: ${resent} (at most the lost chunk)`);
  t.diagnostic(`killed at byte ${killedAtOffset}; chunk starts after the kill: ${startsAfterKill.slice(0, 3).join(', ')}…; bytes Drive received twice: ${resent}`);
  // Asks the gallery for the rest with a Range request.
  const resumedDownload = stack.gallery.stats.rangeRequests.find((r) => r.id === big.id && /^bytes=([1-9]\d*)-$/.test(r.range));
  assert.ok(resumedDownload, `the gallery was asked for the rest of the file: ${JSON.stringify(stack.gallery.stats.rangeRequests)}`);
});

/** The kill happens inside the emulator's request handler; this only waits for that event's flag. */
async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
