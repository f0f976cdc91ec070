import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * The worker process is SIGKILLed in the middle of a multi-chunk upload and started again: the transfer
 * resumes the same Drive upload session from the offset Drive reports, asks the gallery only for the rest
 * (Range), and ends with exactly one copy of every file.
 */

const KiB = 1024;
const CHUNK = 256 * KiB;
let stack: Stack;

before(async () => {
  stack = await startStack({
    workerProcess: true,
    env: { MULTIPART_MAX_BYTES: String(256 * KiB), UPLOAD_CHUNK_BYTES: String(CHUNK), FILE_HEARTBEAT_TIMEOUT_SECONDS: '3' },
  });
});
after(async () => stack?.close());

test('a worker killed mid-upload resumes the file mid-way, with no duplicates', async () => {
  const big: SpecFile = { id: 777001, name: 'Originals/big.mov', size: 24 * CHUNK + 1234 };
  const files: SpecFile[] = [big, { id: 777002, name: 'Originals/a.jpg', size: 100 * KiB }, { id: 777003, name: 'b.jpg', size: 3 * KiB }];
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId: '777', hash, files });
  // Slow the big file down so the kill lands mid-upload, after a few heartbeats carried checkpoints
  // (heartbeats are throttled to 0.8 × the 3 s heartbeat timeout).
  stack.gallery.faultFile(big.id, [{ slowBytesPerSecond: 512 * 1024 }]);

  let killed: Promise<void> | null = null;
  let killedAtOffset = -1;
  stack.google.faults.add({
    op: 'chunk',
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

  const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/777/${hash}?mod=web`, gallery_name: 'Crash' });
  assert.ok(transferId);
  const resultPromise = stack.result(transferId);
  await waitUntil(() => killed !== null, 60_000);
  await killed;
  await stack.worker.start();

  const result = (await resultPromise) as { state: string; filesDone: number };
  assert.equal(result.state, 'succeeded');
  assert.equal(result.filesDone, files.length);
  assertDriveTree(stack.google, 'Crash', files);

  const received = stack.google.uploadBytesReceivedFor('big.mov');
  const resent = received - big.size;
  assert.ok(killedAtOffset >= 16 * CHUNK);
  assert.ok(resent >= 0 && resent <= 2 * CHUNK, `bytes re-sent after the kill: ${resent} (at most the lost chunk, plus one)`);
  const resumedDownload = stack.gallery.stats.rangeRequests.find((r) => r.id === big.id && /^bytes=([1-9]\d*)-$/.test(r.range));
  assert.ok(resumedDownload, `the gallery was asked for the rest of the file: ${JSON.stringify(stack.gallery.stats.rangeRequests)}`);
});

/** The kill happens inside the emulator's request handler; this only waits for that event's flag. */
async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
