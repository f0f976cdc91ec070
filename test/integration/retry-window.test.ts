import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { workflowIdFor } from '../../src/shared/types';
import { sampleFiles } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/** The retry window closes by itself, and a cancelled transfer stops cleanly; both end with the token revoked. */

let stack: Stack;
before(async () => {
  // 0.001 h = 3.6 s of retry window.
  stack = await startStack({ env: { RETRY_WINDOW_HOURS: '0.001' } });
});
after(async () => stack?.close());

function gallery(files: ReturnType<typeof sampleFiles>) {
  const galleryId = String(600000 + Math.floor(Math.random() * 100000));
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  return { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: `G${galleryId}` };
}

test('after the retry window the transfer ends as partially failed and revokes the token', async () => {
  const files = sampleFiles({ small: 2, large: 0 });
  stack.gallery.faultFile(files[0]!.id, [{ status: 404 }]);
  const revokedBefore = stack.google.revokedRefreshTokens().length;
  const { transferId } = await stack.consent(gallery(files));
  const result = (await stack.result(transferId!)) as { state: string; filesFailed: number; retryWindowEndsAt: string | null };
  assert.equal(result.state, 'partially_failed');
  assert.equal(result.filesFailed, 1);
  assert.equal(result.retryWindowEndsAt, null);
  assert.equal(stack.google.revokedRefreshTokens().length, revokedBefore + 1);
});

test('cancel stops a running transfer: no more uploads, a "cancelled" callback, token revoked', async () => {
  const files = sampleFiles({ small: 1, large: 1, largeSize: 40 * 1024 * 1024 });
  stack.gallery.faultFile(files[1]!.id, [{ slowBytesPerSecond: 1024 * 1024 }]); // 40 s if left alone
  const revokedBefore = stack.google.revokedRefreshTokens().length;
  const { transferId } = await stack.consent(gallery(files));
  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId!));
  // Cancel once the big upload has started (its first chunk reached Drive).
  await new Promise<void>((resolve) => {
    stack.google.faults.add({ op: 'resumableInit', times: 1, when: () => (setImmediate(resolve), false), action: { status: 500 } });
  });
  await handle.cancel();
  await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError);
  const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
  assert.equal((callback.json as { status: string }).status, 'cancelled');
  assert.ok((callback.json as { failed_photos: number }).failed_photos >= 1);
  assert.equal(stack.google.revokedRefreshTokens().length, revokedBefore + 1);
  const progress = (await handle.query('progress')) as { state: string };
  assert.equal(progress.state, 'cancelled');
});
