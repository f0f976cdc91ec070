import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { progressQuery } from '../../src/workflows';
import { waitFor } from '../helpers/polling';
import { startEnvironment, StubGallery, startTransfer, withWorker } from './support';

/** Parking at a destination's daily cap (#14, #15), with stub activities: no attempt spent, nothing failed. */

let env: TestWorkflowEnvironment;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.teardown();
});


const CAP = { code: 'gphotos_daily_quota', reason: 'the daily quota is used up' };

/** Workflows whose search attribute says they are parked (support's list, the runbook's query). */
async function parkedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of env.client.workflow.list({ query: 'TransferState = "waiting_quota"' })) ids.push(wf.workflowId);
  return ids;
}

test('a daily cap parks the transfer (waiting_quota, resumesAt, search attribute) and it completes after the reset', async () => {
  const files = 20;
  let capOpen = true;
  const resumesAt = () => new Date(Date.now() + 1500).toISOString();
  const gallery = new StubGallery({
    files,
    settings: { concurrency: 2, pageSize: 10 },
    // From photo 12 on, the destination's daily cap holds until the test lifts it.
    photo: (index) => (index >= 12 && capOpen ? { ...CAP, dailyCap: { resumesAt: resumesAt() } } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the transfer to park', async () => (await handle.query(progressQuery)).state === 'waiting_quota');
    const parked = await handle.query(progressQuery);
    assert.ok(parked.resumesAt && Date.parse(parked.resumesAt) > Date.parse(parked.startedAt), 'resumesAt is in the status');
    assert.equal(parked.filesFailed, 0, 'a cap fails no photo');
    assert.equal(parked.filesDone, 12);
    await waitFor('the search attribute', async () => (await parkedIds()).includes(handle.workflowId));
    // Probes meet the cap again meanwhile: the transfer parks again, still nothing fails.
    await waitFor('a second probe', () => (gallery.attempts.get(12) ?? 0) >= 2);
    assert.equal((await handle.query(progressQuery)).filesFailed, 0);
    capOpen = false;
    const result = await handle.result();
    assert.equal(result.state, 'succeeded');
    assert.equal(result.filesDone, files);
    assert.equal(result.filesFailed, 0);
    assert.equal(result.resumesAt, undefined);
  });
  assert.ok(gallery.parkOnCap.every(Boolean), 'every unit is told to stop at a cap');
  for (let i = 0; i < 12; i++) assert.equal(gallery.attempts.get(i), 1, `photo ${i} copied once`);
  // Every photo after the cap ends copied on its first target: a cap never spends a target.
  for (let i = 12; i < files; i++) assert.equal(new Set(gallery.targetsOf(i)).size, 1, `photo ${i} keeps its target`);
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded]), [['succeeded', 0, files]]);
  assert.equal(gallery.revoked, 1);
});

test('cancelling a parked transfer ends it cancelled at once (the wait is a cancellable timer)', async () => {
  const gallery = new StubGallery({
    files: 8,
    settings: { concurrency: 1, pageSize: 4 },
    photo: (index) => (index >= 3 ? { ...CAP, dailyCap: { resumesAt: new Date(Date.now() + 3600_000).toISOString() } } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the transfer to park', async () => (await handle.query(progressQuery)).state === 'waiting_quota');
    await handle.cancel();
    await assert.rejects(handle.result());
  });
  assert.equal(gallery.attempts.get(3), 1, 'no probe before the reset');
  assert.equal(gallery.attempts.get(4), undefined, 'nothing after the cap was started');
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded]), [['cancelled', 5, 3]]);
  assert.equal(gallery.revoked, 1);
});

test('a long park continues as new carrying the held photos: each is copied once, none repeated or skipped', async () => {
  const files = 60;
  let capOpen = true;
  const gallery = new StubGallery({
    files,
    settings: { concurrency: 4, pageSize: 25 },
    // Probes every 100 ms meet the cap until the workflow has continued as new while parked.
    photo: (index) => (index >= 30 && capOpen ? { ...CAP, dailyCap: { resumesAt: new Date(Date.now() + 100).toISOString() } } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('a continue-as-new while parked', async () => {
      const { runId } = await handle.describe();
      return runId !== handle.firstExecutionRunId && (await handle.query(progressQuery)).state === 'waiting_quota';
    }, 120_000);
    capOpen = false;
    const result = await handle.result();
    assert.deepEqual([result.state, result.filesDone, result.filesFailed], ['succeeded', files, 0]);
  });
  for (let i = 0; i < files; i++) {
    const copies = gallery.attempts.get(i) ?? 0;
    if (i < 30) assert.equal(copies, 1, `photo ${i} copied once`);
    else assert.ok(copies >= 1, `photo ${i} copied`);
    assert.equal(new Set(gallery.targetsOf(i)).size, 1, `photo ${i} keeps its target`);
  }
  // Once the cap lifted, each held photo went out once more and succeeded: the last attempt of each is its only success.
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded]), [['succeeded', 0, files]]);
});

/** The attempt each activity of the workflow started on, by activity type (a cap spends none). */
async function activityAttempts(handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> }): Promise<Array<[string, number]>> {
  const events = (await handle.fetchHistory()).events ?? [];
  const types = new Map(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '']] : [])));
  return events.flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started ? [[types.get(String(started.scheduledEventId)) ?? '', started.attempt ?? 1] as [string, number]] : [];
  });
}

test('a daily cap met making the gallery folder parks the transfer; the folder is asked for again after each reset, spending no attempt', async () => {
  const files = 6;
  // The destination's quota is used up when the transfer starts: the first two tries of the gallery folder meet it.
  const gallery = new StubGallery({
    files,
    settings: { concurrency: 2, pageSize: 3 },
    stepCap: (step, call) => (step === 'createRoot' && call <= 2 ? new Date(Date.now() + 2500).toISOString() : null),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the transfer to park', async () => (await handle.query(progressQuery)).state === 'waiting_quota');
    const parked = await handle.query(progressQuery);
    assert.ok(parked.resumesAt && Date.parse(parked.resumesAt) > Date.parse(parked.startedAt), `resumesAt in the status: ${parked.resumesAt}`);
    assert.deepEqual([parked.filesDone, parked.filesFailed], [0, 0]);
    await waitFor('the search attribute', async () => (await parkedIds()).includes(handle.workflowId));
    const result = await handle.result();
    assert.deepEqual([result.state, result.filesDone, result.filesFailed, result.resumesAt], ['succeeded', files, 0, undefined]);
    const attempts = await activityAttempts(handle);
    assert.equal(attempts.filter(([type]) => type === 'createRoot').length, 3, 'three tries of the gallery folder');
    assert.deepEqual(attempts.filter(([, attempt]) => attempt !== 1), [], 'every activity on its first attempt');
  });
  assert.deepEqual(gallery.stepCalls.filter((c) => c.step === 'createRoot').map((c) => c.parkOnCap), [true, true, true], 'asked to answer a cap each time');
  for (let i = 0; i < files; i++) assert.equal(gallery.attempts.get(i), 1, `photo ${i} copied once`);
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded]), [['succeeded', 0, files]]);
  assert.equal(gallery.revoked, 1);
});

test('a daily cap met asking for free space parks too, then the copy goes on', async () => {
  const files = 4;
  const gallery = new StubGallery({ files, stepCap: (step, call) => (step === 'freeBytes' && call === 1 ? new Date(Date.now() + 1000).toISOString() : null) });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the transfer to park', async () => (await handle.query(progressQuery)).state === 'waiting_quota');
    const result = await handle.result();
    assert.deepEqual([result.state, result.filesDone, result.filesFailed], ['succeeded', files, 0]);
  });
  assert.deepEqual(gallery.stepCalls.map((c) => [c.step, c.parkOnCap]), [['freeBytes', true], ['freeBytes', true], ['createRoot', true]]);
});

test('cancelling a transfer parked at the gallery folder ends it cancelled at once, nothing copied', async () => {
  const files = 5;
  const gallery = new StubGallery({ files, stepCap: (step) => (step === 'createRoot' ? new Date(Date.now() + 3600_000).toISOString() : null) });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the transfer to park', async () => (await handle.query(progressQuery)).state === 'waiting_quota');
    await handle.cancel();
    await assert.rejects(handle.result());
    assert.equal((await handle.query(progressQuery)).state, 'cancelled');
  });
  assert.equal(gallery.stepCalls.filter((c) => c.step === 'createRoot').length, 1, 'no try before the reset');
  assert.equal(gallery.units.length, 0, 'no photo started');
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded, c.folder_url]), [['cancelled', files, 0, null]]);
  assert.equal(gallery.revoked, 1);
});

test('a daily cap met looking up album folders after a continue-as-new parks, then the copy goes on with the folders found', async () => {
  const files = 300;
  // The first lookup (the first page after the continue-as-new) meets the cap.
  const gallery = new StubGallery({
    files,
    folders: 3,
    settings: { concurrency: 4, pageSize: 10 },
    stepCap: (step, call) => (step === 'findFolders' && call === 1 ? new Date(Date.now() + 1500).toISOString() : null),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the transfer to park at the lookup', async () => (await handle.query(progressQuery)).state === 'waiting_quota', 120_000);
    const { runId } = await handle.describe();
    assert.notEqual(runId, handle.firstExecutionRunId, 'parked in a run continued as new');
    const result = await handle.result();
    assert.deepEqual([result.state, result.filesDone, result.filesFailed], ['succeeded', files, 0]);
  });
  const lookups = gallery.stepCalls.filter((c) => c.step === 'findFolders');
  assert.ok(lookups.length >= 2 && lookups.every((c) => c.parkOnCap), `lookups: ${JSON.stringify(lookups)}`);
  // Every photo once, in its folder.
  assert.deepEqual(gallery.units.flat().map((f) => f.index).sort((a, b) => a - b), Array.from({ length: files }, (_, i) => i));
  assert.ok(gallery.units.flat().every((f) => f.parentId === `folder-${f.index % 3}`), 'each photo in its folder');
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded]), [['succeeded', 0, files]]);
});
