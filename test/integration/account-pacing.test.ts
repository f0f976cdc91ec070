import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertTree, driveNodes, SpecFile } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * Writes are paced per destination account, not per transfer: two galleries saved to one Google account at once
 * share its write rate. Per transfer each would take the whole rate, and the account would get twice what it
 * allows — half the writes answered 403/429.
 */

const RATE = 6;
let nextId = 9_000_000 + Math.floor(Math.random() * 1_000_000);

function gallery(stack: Stack, count: number, name: string) {
  const files: SpecFile[] = Array.from({ length: count }, (_, i) => ({ id: nextId++, name: `${name} ${i % 2}/IMG_${i}.jpg`, size: 700 + i }));
  const galleryId = String(nextId++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  return { files, body: { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: name, cloud_type: 'google_drive' } };
}

describe('Google Drive: two transfers to one account', () => {
  let stack: Stack;
  before(async () => {
    // The emulator allows RATE writes/s per user (2 at once: a loaded machine's event-loop stalls are not what this
    // measures). The service paces at that rate, fixed (ceiling = start): sharing is what is tested, not probing.
    stack = await startStack({
      google: { writesPerSecond: RATE, writeBurst: 2 },
      env: { DRIVE_WRITES_PER_SECOND: String(RATE), DRIVE_WRITES_PER_SECOND_MAX: String(RATE), DRIVE_WRITE_BURST: '1', FILES_PER_ACTIVITY: '4' },
    });
  });
  after(async () => stack?.close());

  test('stay under the account’s write rate together', async (t) => {
    const a = gallery(stack, 80, 'Wedding');
    const b = gallery(stack, 80, 'Party');
    const started = Date.now();
    // Both consents go to the emulator's one default user: one Google account, two transfers, one worker.
    const [ta, tb] = await Promise.all([stack.consent(a.body), stack.consent(b.body)]);
    assert.ok(ta.transferId && tb.transferId);
    const results = (await Promise.all([stack.result(ta.transferId), stack.result(tb.transferId)])) as Array<{ state: string; filesDone: number; filesFailed: number }>;
    const seconds = (Date.now() - started) / 1000;
    for (const r of results) assert.deepEqual({ state: r.state, done: r.filesDone, failed: r.filesFailed }, { state: 'succeeded', done: 80, failed: 0 });
    assertTree(driveNodes(stack.google), 'Wedding', a.files);
    assertTree(driveNodes(stack.google), 'Party', b.files);

    const { writes, rateLimited } = stack.google.stats;
    t.diagnostic(`${writes} writes in ${seconds.toFixed(1)} s (${(writes / seconds).toFixed(2)}/s), ${rateLimited} answered 403/429`);
    assert.ok(rateLimited <= writes * 0.05, `${rateLimited} of ${writes + rateLimited} writes answered 403/429: the transfers did not share the account's pace`);
  });
});
