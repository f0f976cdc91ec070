import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { KiB, assertOneCallback, newGallery, seconds, waitFor } from './support';

/**
 * The worker SIGKILLed while it reads the gallery's listing (the first step of every transfer). The metadata steps
 * heartbeat, so Temporal hands the step to the restarted worker after the 30 s heartbeat timeout rather than after
 * the 5-minute start-to-close; the history says so (the second attempt's last failure is a heartbeat timeout).
 */

let stack: Stack;

before(async () => {
  stack = await startStack({ workerProcess: true });
});
after(async () => stack?.close());

test('a worker killed while reading the listing: the step is retried after a heartbeat timeout', async (t) => {
  const files: SpecFile[] = Array.from({ length: 6 }, (_, i) => ({ id: 7700001 + i, name: `Plan/p_${i}.jpg`, size: 2 * KiB + i }));
  const body = newGallery(stack, files, 'Planning crash');
  // The listing trickles out, so the kill lands while planTransfer is reading it.
  stack.gallery.failListing([{ slowBytesPerSecond: 50 }]);
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);
  await waitFor('the worker to start reading the listing', () => stack.gallery.stats.listingRequests >= 1, 30_000, 50);
  await stack.worker.kill('SIGKILL');
  const killedAt = Date.now();
  await stack.worker.start();

  const result = (await stack.result(transferId)) as { state: string };
  assert.equal(result.state, 'succeeded');
  assertDriveTree(stack.google, 'Planning crash', files);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0 });

  const history = await stack.client.workflow.getHandle(workflowIdFor(transferId)).fetchHistory();
  const EventType = temporal.api.enums.v1.EventType;
  const scheduled = new Map<string, string>();
  let planning: temporal.api.history.v1.IActivityTaskStartedEventAttributes | undefined;
  for (const event of history.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      scheduled.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.get(String(started.scheduledEventId)) === 'planTransfer') planning = started;
  }
  assert.ok(planning, 'planTransfer ran');
  assert.equal(planning.attempt, 2, 'planTransfer needed a second attempt');
  assert.equal(
    planning.lastFailure?.timeoutFailureInfo?.timeoutType,
    temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
    `the first attempt ended by heartbeat timeout: ${JSON.stringify(planning.lastFailure)}`,
  );
  t.diagnostic(`transfer done ${seconds(killedAt)} s after the kill (heartbeat timeout 30 s; start-to-close 5 min)`);
});
