import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertTree, SpecFile, yandexNodes } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * Yandex Disk, server-side fetch: the worker process is SIGKILLed while Yandex is still downloading a large photo.
 * The retried activity finds the operation link in its last heartbeat and polls that operation: Yandex is asked
 * to download each photo exactly once, and no byte goes through the worker.
 */

const KiB = 1024;
let stack: Stack;

before(async () => {
  stack = await startStack({
    workerProcess: true,
    env: { MULTIPART_MAX_BYTES: String(256 * KiB), FILE_HEARTBEAT_TIMEOUT_SECONDS: '3', YANDEX_SERVER_SIDE_FETCH: 'true' },
  });
});
after(async () => stack?.close());

test('a worker killed while Yandex fetches a photo resumes polling the same operation', async () => {
  const big: SpecFile = { id: 778001, name: 'Originals/big.mov', size: 3 * 1024 * KiB + 77 };
  const files: SpecFile[] = [big, { id: 778002, name: 'a.jpg', size: 20 * KiB }];
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId: '778', hash, files });
  // Yandex's own download of the big photo takes ~15 s, so the kill lands while it runs.
  stack.gallery.faultFile(big.id, [{ slowBytesPerSecond: 200 * KiB }]);

  let killed: Promise<void> | null = null;
  let polls = 0;
  stack.yandex.faults.add({
    op: 'operation',
    times: 1,
    // After several polls (~6 s: the operation link has been heartbeated), kill the worker; no fault is injected.
    when: () => {
      if (!killed && ++polls === 8) killed = stack.worker.kill('SIGKILL');
      return false;
    },
    action: { status: 500 },
  });

  const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/778/${hash}?mod=web`, gallery_name: 'Resume', cloud_type: 'yadisk' });
  assert.ok(transferId);
  const resultPromise = stack.result(transferId);
  await waitUntil(() => killed !== null, 60_000);
  await killed;
  const fetchesAtKill = stack.yandex.stats.uploadsByUrl;
  await stack.worker.start();

  const result = (await resultPromise) as { state: string };
  assert.equal(result.state, 'succeeded');
  assertTree(yandexNodes(stack.yandex), 'Resume', files);
  assert.equal(fetchesAtKill, files.length, 'both downloads were asked for before the kill');
  assert.equal(stack.yandex.stats.uploadsByUrl, files.length, 'no second download after the restart');
  assert.equal(stack.yandex.stats.bytesUploaded, 0, 'no byte through the worker');
});

/** The kill happens inside the emulator's request handler; this only waits for that event's flag. */
async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
