import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { failedFilesQuery, progressQuery, resendCallbackUpdate, retryFailedUpdate, transferWorkflow } from '../../src/workflows';
import { workflowIdFor } from '../../src/shared/types';
import { waitFor } from '../helpers/polling';
import { maxUnitsInFlight, startEnvironment, StubGallery, startTransfer, transferInput, withWorker } from './support';

/** The transfer workflow itself, with stub activities: the window, continue-as-new, the retry window, cancellation. */

let env: TestWorkflowEnvironment;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.teardown();
});


test('at most `concurrency` units run at a time, and the window is used to the full', async () => {
  const concurrency = 3;
  const files = 20;
  // Each unit waits until the window is full (or no more units can come), so the window is used to the full.
  let started = 0;
  const waiting: Array<() => void> = [];
  const gallery = new StubGallery({
    files,
    settings: { concurrency, pageSize: 7 },
    onUnitStart: (running) =>
      new Promise<void>((resolve) => {
        started++;
        waiting.push(resolve);
        if (running >= concurrency || started === files) waiting.splice(0).forEach((r) => r());
      }),
  });
  const { result, history } = await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    return { result: await handle.result(), history: await handle.fetchHistory() };
  });
  assert.equal(maxUnitsInFlight(history), concurrency);
  assert.equal(result.state, 'succeeded');
  assert.equal(result.filesDone, files);
  assert.deepEqual(gallery.units.map((u) => u[0]!.index).sort((a, b) => a - b), Array.from({ length: files }, (_, i) => i));
  assert.equal(gallery.callbacks.length, 1);
  assert.equal(gallery.revoked, 1);
});

test('a long transfer continues as new, carrying counts, failures and the page cursor, and finishes correctly', async () => {
  const files = 240;
  const failing = new Set([5, 123, 231]);
  const gallery = new StubGallery({
    files,
    settings: { concurrency: 8, pageSize: 20 },
    photo: (index, attempt) => (failing.has(index) && attempt === 1 ? { code: 'source_not_found' } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the first callback', () => gallery.callbacks.length === 1, 120_000);
    const [report] = gallery.callbacks;
    assert.equal(report!.status, 'partially_failed');
    assert.equal(report!.files_uploaded, files - failing.size);
    assert.equal(report!.failed_photos, failing.size);
    const failed = await handle.query(failedFilesQuery);
    assert.deepEqual(failed.map((f) => f.index), [...failing]);
    assert.deepEqual(await handle.executeUpdate(retryFailedUpdate), { files: failing.size });
    const result = await handle.result();
    assert.equal(result.state, 'succeeded');
    assert.equal(result.filesDone, files);
    assert.equal(result.filesFailed, 0);
    // The chain of runs: the first one ended by continuing as new.
    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    assert.ok(first.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes, 'the first run continued as new');
  });
  // Every photo copied once by the pages (none repeated or skipped across runs), the failed ones once more.
  for (let i = 0; i < files; i++) assert.equal(gallery.attempts.get(i), failing.has(i) ? 2 : 1, `photo ${i}`);
  // The retry reused the targets reserved for them in the first run.
  for (const i of failing) assert.equal(new Set(gallery.targetsOf(i)).size, 1, `photo ${i} keeps its target`);
  assert.deepEqual(gallery.callbacks.map((c) => c.status), ['partially_failed', 'succeeded']);
  assert.equal(gallery.revoked, 1);
});

test('saving again copies only the photos the earlier copy lacks, into its folder, across continue-as-new; skipped ones are counted apart', async () => {
  const files = 600; // 200 to copy: enough units to continue as new on this server
  const earlier = Array.from({ length: files }, (_, i) => i).filter((i) => i % 3 !== 0);
  const gallery = new StubGallery({ files, settings: { concurrency: 8, pageSize: 20 }, earlier });
  const { result, progress, runs } = await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    const result = await handle.result();
    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    return { result, progress: await handle.query(progressQuery), runs: first.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes ? 2 : 1 };
  });
  const fresh = files - earlier.length;
  assert.ok(runs > 1, 'the transfer continued as new (the skip set travels with it)');
  assert.deepEqual([result.state, result.filesDone, result.filesSkipped, result.filesFailed, result.filesTotal], ['succeeded', fresh, earlier.length, 0, files]);
  assert.equal(progress.folderUrl, 'https://drive.example/earlier-root');
  const copied = gallery.units.flat().map((f) => f.index).sort((a, b) => a - b);
  assert.deepEqual(copied, Array.from({ length: files }, (_, i) => i).filter((i) => i % 3 === 0), 'only the photos not there, each once');
  assert.ok(gallery.units.flat().every((f) => f.parentId === 'earlier-root'), 'into the earlier gallery folder');
  const [report] = gallery.callbacks;
  assert.deepEqual([report!.status, report!.files_uploaded, report!.files_skipped, report!.files_total], ['succeeded', fresh, earlier.length, files]);
});

test('saving again when the earlier copy holds every photo copies nothing and succeeds', async () => {
  const files = 30;
  const gallery = new StubGallery({ files, earlier: Array.from({ length: files }, (_, i) => i) });
  const result = await withWorker(env, gallery, async (taskQueue) => (await startTransfer(env, taskQueue)).result());
  assert.deepEqual([result.state, result.filesDone, result.filesSkipped], ['succeeded', 0, files]);
  assert.equal(gallery.units.length, 0);
});

test('a lookup of the earlier copy that fails makes a new gallery folder instead of failing the transfer', async () => {
  const gallery = new StubGallery({ files: 5, earlier: 'fails' });
  const result = await withWorker(env, gallery, async (taskQueue) => (await startTransfer(env, taskQueue)).result());
  assert.deepEqual([result.state, result.filesDone, result.filesSkipped, result.folderUrl], ['succeeded', 5, 0, 'https://drive.example/root']);
});

test('a separate copy makes a new gallery folder even when an earlier copy exists', async () => {
  const gallery = new StubGallery({ files: 5, earlier: [0, 1, 2] });
  const input = { ...transferInput(), separateCopy: true };
  const result = await withWorker(env, gallery, async (taskQueue) =>
    (await env.client.workflow.start(transferWorkflow, { args: [input], taskQueue, workflowId: workflowIdFor(input.transferId) })).result(),
  );
  assert.deepEqual([result.state, result.filesDone, result.filesSkipped, result.folderUrl], ['succeeded', 5, 0, 'https://drive.example/root']);
});

test('retryFailed re-runs only the failed photos on their reserved targets and calls back again', async () => {
  const gallery = new StubGallery({
    files: 6,
    photo: (index, attempt) => ((index === 2 || index === 4) && attempt === 1 ? { code: 'source_not_found' } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the first callback', () => gallery.callbacks.length === 1);
    const waitingProgress = await handle.query(progressQuery);
    assert.equal(waitingProgress.state, 'partially_failed');
    assert.ok(waitingProgress.retryWindowEndsAt, 'the retry window is open');
    assert.equal(gallery.revoked, 0, 'the token is kept while the window is open');
    assert.deepEqual(await handle.executeUpdate(retryFailedUpdate), { files: 2 });
    const result = await handle.result();
    assert.equal(result.state, 'succeeded');
    assert.equal(result.retryWindowEndsAt, null);
  });
  assert.deepEqual(gallery.units.slice(6).flat().map((f) => f.index).sort(), [2, 4]);
  assert.deepEqual(gallery.targetsOf(2), [gallery.targetsOf(2)[0], gallery.targetsOf(2)[0]]);
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos]), [['partially_failed', 2], ['succeeded', 0]]);
  assert.equal(gallery.revoked, 1);
});

test('after an account-wide stop every photo not copied is retryable: the retry copies each photo exactly once', async () => {
  const files = 40;
  const gallery = new StubGallery({
    files,
    settings: { concurrency: 2, pageSize: 10 },
    photo: (index, attempt) => (index === 13 && attempt === 1 ? { code: 'drive_storage_full', reason: 'the Drive is full' } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the first callback', () => gallery.callbacks.length === 1);
    const [report] = gallery.callbacks;
    assert.equal(report!.error, 'the Drive is full');
    assert.equal(report!.files_uploaded + report!.failed_photos, files);
    assert.ok(report!.files_uploaded < 20, `stopped early (${report!.files_uploaded} copied)`);
    const progress = await handle.query(progressQuery);
    assert.equal(progress.filesFailed, report!.failed_photos);
    assert.deepEqual(await handle.executeUpdate(retryFailedUpdate), { files: report!.failed_photos });
    const result = await handle.result();
    assert.equal(result.state, 'succeeded');
    assert.equal(result.filesDone, files);
    assert.equal(result.filesFailed, 0);
  });
  for (let i = 0; i < files; i++) assert.equal(gallery.attempts.get(i), i === 13 ? 2 : 1, `photo ${i}`);
  // Some photos were copied before the stop: partially failed (with the error), not failed.
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.files_uploaded]), [['partially_failed', gallery.callbacks[0]!.files_uploaded], ['succeeded', files]]);
  assert.equal(gallery.revoked, 1);
});

test('a retry that meets the stop again reports it and leaves every photo not copied retryable', async () => {
  const files = 30;
  const gallery = new StubGallery({
    files,
    settings: { concurrency: 1, pageSize: 10 },
    photo: (index, attempt) => (index === 4 && attempt <= 2 ? { code: 'drive_storage_full', reason: 'the Drive is full' } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the first callback', () => gallery.callbacks.length === 1);
    await handle.executeUpdate(retryFailedUpdate);
    await waitFor('the callback after the retry', () => gallery.callbacks.length === 2);
    const again = gallery.callbacks[1]!;
    assert.deepEqual([again.status, again.error, again.files_uploaded + again.failed_photos], ['partially_failed', 'the Drive is full', files]);
    assert.deepEqual(await handle.executeUpdate(retryFailedUpdate), { files: again.failed_photos });
    assert.equal((await handle.result()).filesDone, files);
  });
  for (let i = 0; i < files; i++) assert.equal(gallery.attempts.get(i), i === 4 ? 3 : 1, `photo ${i}`);
});

test('more than 1,000 failed photos: all listed a page at a time, all retried on their reserved targets', async () => {
  const files = 1100;
  const gallery = new StubGallery({
    files,
    settings: { filesPerActivity: 100, pageSize: 500, multipartMaxBytes: 1024 * 1024 },
    photo: (_index, attempt) => (attempt === 1 ? { code: 'source_not_found' } : 'ok'),
  });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the first callback', () => gallery.callbacks.length === 1, 60_000);
    assert.equal(gallery.callbacks[0]!.failed_photos, files);
    assert.equal((await handle.query(failedFilesQuery)).length, 1000);
    const tail = await handle.query(failedFilesQuery, { offset: 1000, limit: 1000 });
    assert.deepEqual(tail.map((f) => f.index), Array.from({ length: 100 }, (_, i) => 1000 + i));
    assert.deepEqual(await handle.executeUpdate(retryFailedUpdate), { files });
    const result = await handle.result();
    assert.deepEqual([result.state, result.filesDone, result.filesFailed], ['succeeded', files, 0]);
  });
  for (const i of [0, 999, 1000, 1099]) assert.equal(new Set(gallery.targetsOf(i)).size, 1, `photo ${i} keeps its target`);
  for (let i = 0; i < files; i++) assert.equal(gallery.attempts.get(i), 2, `photo ${i}`);
});

test('when the retry window closes unused, the token is revoked and the transfer ends partially failed', async () => {
  const gallery = new StubGallery({
    files: 3,
    settings: { retryWindowHours: 1 / 3600 },
    photo: (index) => (index === 1 ? { code: 'source_not_found' } : 'ok'),
  });
  const result = await withWorker(env, gallery, async (taskQueue) => (await startTransfer(env, taskQueue)).result());
  assert.equal(result.state, 'partially_failed');
  assert.equal(result.filesFailed, 1);
  assert.equal(result.retryWindowEndsAt, null);
  assert.equal(gallery.units.length, 3, 'nothing was retried');
  assert.equal(gallery.callbacks.length, 1);
  assert.equal(gallery.revoked, 1);
});

test('cancelling a running transfer cancels the units in flight, calls back `cancelled` and revokes the token', async () => {
  const gallery = new StubGallery({ files: 12, settings: { concurrency: 3 }, photo: () => 'hold' });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('a full window of held units', () => gallery.running === 3);
    await handle.cancel();
    const err = await handle.result().then(
      () => assert.fail('a cancelled transfer does not complete'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, String(err));
  });
  assert.equal(gallery.units.length, 3, 'no unit started after the cancellation');
  assert.equal(gallery.cancelledUnits, 3);
  assert.deepEqual(gallery.callbacks.map((c) => [c.status, c.failed_photos, c.files_uploaded]), [['cancelled', 12, 0]]);
  assert.equal(gallery.revoked, 1);
});

async function cancelled(handle: { result(): Promise<unknown> }): Promise<void> {
  const err = await handle.result().then(
    () => assert.fail('a cancelled transfer does not complete'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, String(err));
}

test('resendCallback sends the last callback again; a cancel in the retry window only closes it and revokes', async () => {
  const gallery = new StubGallery({ files: 3, photo: (index) => (index === 0 ? { code: 'source_not_found' } : 'ok') });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('the first callback', () => gallery.callbacks.length === 1);
    assert.deepEqual(await handle.executeUpdate(resendCallbackUpdate), { status: 'partially_failed' });
    await waitFor('the callback sent again', () => gallery.callbacks.length === 2);
    assert.deepEqual(gallery.callbacks[1], gallery.callbacks[0]);
    await handle.cancel();
    await cancelled(handle);
    const progress = await handle.query(progressQuery);
    assert.deepEqual([progress.state, progress.retryWindowEndsAt, progress.callbackDelivered], ['partially_failed', null, true]);
  });
  assert.deepEqual(gallery.callbacks.map((c) => c.status), ['partially_failed', 'partially_failed'], 'no `cancelled` after the outcome');
  assert.equal(gallery.revoked, 1);
});

test('resendCallback is refused while the transfer runs', async () => {
  const gallery = new StubGallery({ files: 4, settings: { concurrency: 1 }, photo: () => 'hold' });
  await withWorker(env, gallery, async (taskQueue) => {
    const handle = await startTransfer(env, taskQueue);
    await waitFor('a unit running', () => gallery.running === 1);
    await assert.rejects(handle.executeUpdate(resendCallbackUpdate), (err: Error) => /only possible while a finished transfer waits/.test(String(err.cause)));
    await handle.cancel();
    await cancelled(handle);
  });
  assert.deepEqual(gallery.callbacks.map((c) => c.status), ['cancelled']);
});

test('a callback the gallery never accepts does not fail the transfer: the token is revoked and progress says so', async () => {
  const gallery = new StubGallery({ files: 3, refuseCallbacks: true });
  const result = await withWorker(env, gallery, async (taskQueue) => (await startTransfer(env, taskQueue)).result());
  assert.equal(result.state, 'succeeded');
  assert.equal(result.callbackDelivered, false);
  assert.match(result.callbackError ?? '', /answered 503 for 7 days/);
  assert.equal(gallery.revoked, 1);
});
