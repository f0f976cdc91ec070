import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { photosQuotaResumesAt } from '../../src/providers/google-photos/quota-day';
import { workflowIdFor } from '../../src/shared/types';
import { assertTree, driveNodes, photosNodes, sampleFiles, type SpecFile } from '../helpers/drive-tree';
import { waitFor } from '../helpers/polling';
import { ARCHIVE_HOST, startStack, type Stack } from '../helpers/stack';

/**
 * Daily caps park the transfer (#15) on the real stack: the Drive emulator's daily upload limit answers
 * `403 userRateLimitExceeded` like throttling; after QUOTA_PARK_AFTER_MINUTES of it with no write succeeding the
 * transfer parks (state `waiting_quota`, `resumes_at`, the TransferState search attribute), probes every
 * QUOTA_PROBE_MINUTES, and after the emulator's next day lands the exact tree with nothing failed.
 */

let stack: Stack;
/** The emulator's upload day: the test turns it over. */
let day = 1;
/** The emulator's Photos quota day: the last test turns it over. */
let photosDay = 1;
const files: SpecFile[] = sampleFiles({ small: 20, large: 0 });
const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);

before(async () => {
  stack = await startStack({
    google: { driveUploadBytesPerDay: Math.floor(bytesTotal * 0.6), driveQuotaDay: () => String(day), photosQuotaDay: () => String(photosDay) },
    // 1.2 s of rate limits make a daily cap; a parked transfer probes every 1.2 s: a short simulated day.
    env: { QUOTA_PARK_AFTER_MINUTES: '0.02', QUOTA_PROBE_MINUTES: '0.02', FILES_PER_ACTIVITY: '4', TRANSFER_CONCURRENCY: '2' },
  });
});
after(async () => stack?.close());

interface Status {
  metadata: { state: string; files_done: number; files_failed: number; resumes_at?: string };
}

async function status(transferId: string): Promise<Status> {
  return (await (await fetch(`${stack.apiUrl}/cloud_archive/transfers/${transferId}`)).json()) as Status;
}

/** Each activity the transfer's workflow started, in order: its type and the attempt it started on. */
async function activityStarts(transferId: string): Promise<Array<{ type: string; attempt: number }>> {
  const events = (await stack.client.workflow.getHandle(workflowIdFor(transferId)).fetchHistory()).events ?? [];
  const types = new Map(events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '']));
  return events.flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started ? [{ type: types.get(String(started.scheduledEventId)) ?? '', attempt: started.attempt ?? 1 }] : [];
  });
}

test('Drive: a daily upload limit reached at 60 % parks the transfer, which completes after the day with the exact tree', async () => {
  const galleryId = String(800000 + Math.floor(Math.random() * 100000));
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: 'Capped' });
  assert.ok(transferId);

  await waitFor('the transfer to park', async () => (await status(transferId)).metadata.state === 'waiting_quota', 60_000);
  const parked = (await status(transferId)).metadata;
  assert.ok(parked.resumes_at && !Number.isNaN(Date.parse(parked.resumes_at)), `resumes_at in the status: ${parked.resumes_at}`);
  assert.equal(parked.files_failed, 0, 'the cap fails no photo');
  assert.ok(parked.files_done > 0 && parked.files_done < files.length, `${parked.files_done} copied before the cap`);
  assert.ok(stack.google.dailyUploads().bytes >= bytesTotal * 0.6, 'the day is used up');

  // Support's list of parked transfers (README runbook): the search attribute.
  const workflowId = workflowIdFor(transferId);
  await waitFor('the search attribute', async () => {
    for await (const wf of stack.client.workflow.list({ query: `TransferState = "waiting_quota" AND WorkflowId = "${workflowId}"` })) if (wf.workflowId === workflowId) return true;
    return false;
  });

  // Probes meet the cap again and park again, spending nothing.
  const refusals = stack.google.stats.rateLimited;
  await waitFor('a probe', () => stack.google.stats.rateLimited > refusals, 30_000);
  assert.equal((await status(transferId)).metadata.files_failed, 0);

  day = 2;
  const result = (await stack.result(transferId, 120_000)) as { state: string; filesDone: number; filesFailed: number };
  assert.deepEqual([result.state, result.filesDone, result.filesFailed], ['succeeded', files.length, 0]);
  // No attempt spent on the cap: every unit's activity ended on its first attempt.
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const attempts = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : []));
  assert.ok(attempts.length > 0 && attempts.every((a) => a === 1), `activity attempts: ${attempts.join(',')}`);
  // Every photo once (no duplicate of a photo under way at the cap), every folder once.
  assertTree(driveNodes(stack.google), 'Capped', files);
  const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
  assert.deepEqual([(callback.json as { status: string }).status, (callback.json as { failed_photos: number }).failed_photos], ['succeeded', 0]);
});

test("Google Photos: the project's daily quota parks the transfer until after midnight Pacific; a cancel ends it there", async () => {
  const galleryId = String(900000 + Math.floor(Math.random() * 90000));
  const hash = randomBytes(16).toString('hex');
  const photos = sampleFiles({ small: 12, large: 0 });
  stack.gallery.addGallery({ galleryId, hash, files: photos });
  // A dozen more requests today: the albums and some photos get through, then the quota is used up.
  stack.google.setOptions({ photosRequestsPerDay: stack.google.photos.dailyQuota().used + 12 });
  const body = { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: 'Quota', cloud_type: 'google_photos' };
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);

  await waitFor('the transfer to park', async () => (await status(transferId)).metadata.state === 'waiting_quota', 60_000);
  const parked = (await status(transferId)).metadata;
  assert.equal(parked.files_failed, 0, 'the quota fails no photo');
  // The reset Google publishes, worked out by the worker: a few minutes after the next midnight Pacific.
  const expected = Date.parse(photosQuotaResumesAt(Date.now()));
  assert.ok(Math.abs(Date.parse(parked.resumes_at!) - expected) < 60_000, `resumes_at ${parked.resumes_at}`);

  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  await handle.cancel();
  await assert.rejects(handle.result());
  const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
  assert.equal((callback.json as { status: string }).status, 'cancelled');
  // The API's readings are shared for a moment: the next one says cancelled.
  await waitFor('the status to say cancelled', async () => (await status(transferId)).metadata.state === 'cancelled');
});

test('Google Photos: a quota used up before the transfer starts parks it at its first request (the lookup of an earlier copy); each new day takes it further, and it lands every photo once', async (t) => {
  // The worker's Photos quota day lasts 3 s (the emulator's lasts until the test turns it over): a parked transfer
  // tries again every 3 s, meets the quota again and parks again, until the emulator's next day.
  await stack.worker.kill('SIGTERM');
  await stack.worker.start({ GOOGLE_PHOTOS_QUOTA_DAY_SECONDS: '3' });
  const galleryId = String(990000 + Math.floor(Math.random() * 9000));
  const hash = randomBytes(16).toString('hex');
  const photos = sampleFiles({ small: 8, large: 0 });
  stack.gallery.addGallery({ galleryId, hash, files: photos });
  // Today's budget is used up before the transfer starts.
  stack.google.setOptions({ photosRequestsPerDay: stack.google.photos.dailyQuota().used });
  const body = { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: 'Quota reset', cloud_type: 'google_photos' };
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);
  const ours = () => stack.google.photos.tree().albums.filter((a) => a.title === 'Quota reset' || a.title.startsWith('Quota reset — '));

  await waitFor('the transfer to park at its first request', async () => (await status(transferId)).metadata.state === 'waiting_quota', 60_000);
  const parked = (await status(transferId)).metadata;
  assert.deepEqual([parked.files_done, parked.files_failed], [0, 0]);
  // The start of the worker's next 3-second quota day, plus the margin (5 minutes of 24 hours are 10 ms of 3 s).
  assert.equal(Date.parse(parked.resumes_at!) % 3000, 10, `resumes_at ${parked.resumes_at}`);
  assert.equal(ours().length, 0, 'no album yet');
  // The lookup of an earlier copy spends quota too: parked there, never skipped (that would add every photo again
  // to an earlier save's albums).
  await waitFor('a second try of the lookup after the worker\'s reset', async () => (await activityStarts(transferId)).filter((a) => a.type === 'findEarlierCopy').length >= 2);
  assert.equal((await status(transferId)).metadata.state, 'waiting_quota', 'the cap met again parks again');

  // The next day brings 12 requests: the albums and some photos, then the quota is used up again mid-copy.
  stack.google.setOptions({ photosRequestsPerDay: 12 });
  photosDay = 2;
  await waitFor("the day's budget to be used", () => stack.google.photos.dailyQuota().used >= 12, 60_000);
  await waitFor('the transfer to park again', async () => (await status(transferId)).metadata.state === 'waiting_quota', 60_000);
  const again = (await status(transferId)).metadata;
  assert.equal(again.files_failed, 0);
  assert.ok(again.files_done < photos.length, `${again.files_done} copied on the second day`);

  // The day after: Google's budget.
  stack.google.setOptions({ photosRequestsPerDay: 10_000 });
  photosDay = 3;
  const result = (await stack.result(transferId, 120_000)) as { state: string; filesDone: number; filesFailed: number };
  assert.deepEqual([result.state, result.filesDone, result.filesFailed], ['succeeded', photos.length, 0]);
  const starts = await activityStarts(transferId);
  assert.deepEqual(starts.filter((a) => a.attempt !== 1), [], 'no attempt spent on the quota');
  // Exactly the gallery: each album once, each photo once in its album.
  assert.deepEqual(ours().map((a) => a.title).sort(), ['Quota reset', 'Quota reset — Photos 1', 'Quota reset — Photos 2', 'Quota reset — Photos 2 / Details']);
  assertTree(photosNodes(stack.google), 'Quota reset', photos);
  const items = stack.google.photos.tree().items.filter((i) => i.description?.includes(transferId));
  assert.equal(items.length, photos.length, 'one media item per photo');
  const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
  assert.deepEqual([(callback.json as { status: string }).status, (callback.json as { failed_photos: number }).failed_photos], ['succeeded', 0]);
  t.diagnostic(`Photos quota: ${starts.filter((a) => a.type === 'findEarlierCopy').length} tries of the lookup, ${starts.filter((a) => a.type === 'createRoot').length} of the album, ${starts.filter((a) => a.type === 'transferFiles').length} units, ${items.length} items`);
});
