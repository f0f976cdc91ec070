import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * A gallery that stops sending a photo half-way, or trickles it a few bytes at a time, must not hold a copy slot
 * for hours (the activity heartbeats on its own timer, and undici waits 120 s of silence). With a stall time of
 * 2 s both downloads are aborted, retried by Temporal, resumed, and the transfer completes.
 */

const KiB = 1024;
const STALL_SECONDS = 2;
let stack: Stack;

before(async () => {
  stack = await startStack({
    captureLogs: true,
    env: {
      LOG_LEVEL: 'warn',
      SOURCE_STALL_SECONDS: String(STALL_SECONDS),
      MULTIPART_MAX_BYTES: String(256 * KiB),
      UPLOAD_CHUNK_BYTES: String(256 * KiB),
    },
  });
});
after(async () => stack?.close());

async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test('a photo whose body stalls, and one that trickles, are aborted, retried and copied', async (t) => {
  const files: SpecFile[] = [
    { id: 8800001, name: 'Stall/stalls_midway.mp4', size: 700 * KiB },
    { id: 8800002, name: 'Stall/trickles.jpg', size: 100 * KiB },
    { id: 8800003, name: 'Stall/fine.jpg', size: 30 * KiB },
  ];
  const [stalls, trickles] = files;
  const galleryId = '8800000';
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  // After 300 KiB (one 256 KiB chunk committed to Drive) nothing more; the other drips 200 B/s: 7 minutes for the rest.
  stack.gallery.faultFile(stalls!.id, [{ stallAfterBytes: 300 * KiB }]);
  stack.gallery.faultFile(trickles!.id, [{ stallAfterBytes: 10 * KiB, trickleBytesPerSecond: 200 }]);

  const started = Date.now();
  const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: 'Stall' });
  const result = (await within(stack.result(transferId!), 60_000, 'the transfer to finish despite a stalled and a trickling photo')) as { state: string; filesFailed: number };
  t.diagnostic(`transfer done in ${((Date.now() - started) / 1000).toFixed(1)} s with a ${STALL_SECONDS} s stall time`);

  assert.equal(result.state, 'succeeded');
  assert.equal(result.filesFailed, 0);
  assertDriveTree(stack.google, 'Stall', files);
  assert.equal(stack.gallery.stats.requests[stalls!.id], 2, 'the stalled photo was asked for twice');
  assert.equal(stack.gallery.stats.requests[trickles!.id], 2, 'the trickling photo was asked for twice');
  assert.deepEqual(
    stack.gallery.stats.rangeRequests.filter((r) => r.id === stalls!.id).map((r) => [r.range, r.status]),
    [[`bytes=${256 * KiB}-`, 206]],
    'the retry resumed after the chunk Drive had',
  );
  const stalledLogs = stack.logs().split('\n').filter((line) => line.includes('"error_code":"source_stalled"'));
  assert.equal(stalledLogs.length, 2, `each stall logged once as source_stalled:\n${stalledLogs.join('\n')}`);
});
