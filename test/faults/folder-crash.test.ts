import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { assertOneCallback, newGallery, seconds, waitFor } from './support';

/**
 * The worker SIGKILLed in the middle of making the album folders (an album per pupil). Folder batches are
 * activities whose results are the progress: the batches finished before the kill are never sent again, and the
 * batch that was running is retried on the restarted worker (after its 30 s heartbeat timeout), resuming after
 * the folders its heartbeats reported and meeting the rest as its own (409 on the reserved id, adopted). Counted at
 * the emulator: every album create that was sent twice belongs to that one batch and was answered 409; the tree is
 * exact, with no second folder anywhere.
 */

const ALBUMS = 300;
const PER_BATCH = 50;
const RATE = 20;
const ROOT = 'Class photos';
let stack: Stack;

before(async () => {
  stack = await startStack({
    workerProcess: true,
    google: { writesPerSecond: RATE, writeBurst: 1 },
    env: { DRIVE_WRITES_PER_SECOND: String(RATE), DRIVE_WRITE_BURST: '1', FOLDERS_PER_ACTIVITY: String(PER_BATCH) },
  });
});
after(async () => stack?.close());

/** The reserved ids each createFolderBatch was scheduled with, and the attempt it ended on. */
async function folderBatches(transferId: string): Promise<Array<{ targets: string[]; attempt: number }>> {
  const history = await stack.client.workflow.getHandle(workflowIdFor(transferId)).fetchHistory();
  const batches = new Map<string, { targets: string[]; attempt: number }>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'createFolderBatch') {
      const input = JSON.parse(Buffer.from(scheduled.input!.payloads![0]!.data!).toString('utf8')) as { targets: string[] };
      batches.set(String(event.eventId), { targets: input.targets, attempt: 0 });
    }
    const started = event.activityTaskStartedEventAttributes;
    const batch = started && batches.get(String(started.scheduledEventId));
    if (batch) batch.attempt = started.attempt ?? 1;
  }
  return [...batches.values()];
}

test(`worker SIGKILLed while making ${ALBUMS} albums: finished batches are not sent again, the tree is exact`, async (t) => {
  const files: SpecFile[] = Array.from({ length: ALBUMS }, (_, i) => ({ id: 8800001 + i, name: `Pupil ${String(i + 1).padStart(3, '0')}/portrait.jpg`, size: 3000 + i }));
  const { transferId } = await stack.consent(newGallery(stack, files, ROOT));
  assert.ok(transferId);
  const creates = stack.google.stats.metadataCreatesById;
  // In the third batch: two are finished (their results in the history), the third is half done.
  const killAfter = 1 + 2 * PER_BATCH + PER_BATCH / 2;
  await waitFor(`${killAfter} folder creates`, () => creates.size >= killAfter, 120_000, 20);
  await stack.worker.kill('SIGKILL');
  const madeBeforeKill = creates.size;
  const killedAt = Date.now();
  await stack.worker.start();

  const result = (await stack.result(transferId, 300_000)) as { state: string; filesFailed: number };
  assert.deepEqual({ state: result.state, failed: result.filesFailed }, { state: 'succeeded', failed: 0 });
  assertDriveTree(stack.google, ROOT, files);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0 });

  const batches = await folderBatches(transferId);
  assert.equal(batches.reduce((n, b) => n + b.targets.length, 0), ALBUMS, 'one reserved id per album, each in one batch');
  const resent = [...creates].filter(([, n]) => n > 1).map(([id]) => id);
  const retried = batches.filter((b) => b.attempt > 1);
  assert.equal(retried.length, 1, 'exactly the batch that was running was retried');
  assert.ok(resent.every((id) => retried[0]!.targets.includes(id)), 'no create of a finished batch was sent again');
  assert.equal(stack.google.stats.metadataConflicts, resent.length, 'each create sent again met its folder (409) and adopted it');
  assert.ok([...creates.values()].every((n) => n <= 2), 'no create was sent more than twice');
  t.diagnostic(
    `${madeBeforeKill - 1 - 2 * PER_BATCH} albums of the running batch made before the kill; its retry sent ${resent.length} of them again ` +
      `(the rest were in its last heartbeat); done ${seconds(killedAt)} s after the kill (heartbeat timeout 30 s)`,
  );
});
