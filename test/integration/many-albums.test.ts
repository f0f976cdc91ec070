import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/shared/types';
import { assertTree, driveNodes, SpecFile, yandexNodes } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * A school shoot: an album per class with an album per pupil in it, the pupils' portraits first and the class
 * photos at the end of the listing. Album folders are made in batches (FOLDERS_PER_ACTIVITY) whose results are
 * the progress; portraits start while later albums are still being made; the class photos come after a
 * continue-as-new, in a run that must find their albums again. Each folder is created exactly once, and the whole
 * transfer stays close to the floor the write pace sets.
 */

let nextId = 7_000_000 + Math.floor(Math.random() * 1_000_000);

function schoolShoot(classes: number, pupils: number, portraits = 1): SpecFile[] {
  const files: SpecFile[] = [];
  for (let c = 0; c < classes; c++) {
    for (let p = 0; p < pupils; p++) {
      for (let k = 0; k < portraits; k++) files.push({ id: nextId++, name: `Class ${c + 1}/Pupil ${p + 1}/portrait ${k + 1}.jpg`, size: 900 + ((c * pupils + p + k) % 500) });
    }
  }
  for (let c = 0; c < classes; c++) files.push({ id: nextId++, name: `Class ${c + 1}/class photo.jpg`, size: 1500 + c });
  return files;
}

async function copy(stack: Stack, files: SpecFile[], name: string, cloudType = 'google_drive') {
  const galleryId = String(nextId++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  const startedAt = Date.now();
  const { transferId } = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: name, cloud_type: cloudType });
  assert.ok(transferId);
  const result = (await stack.result(transferId, 400_000)) as { state: string; filesDone: number; filesFailed: number; error: string | null };
  return { transferId, result, seconds: (Date.now() - startedAt) / 1000 };
}

/** Activity types scheduled in the transfer's last run, and whether that run continued an earlier one. */
async function lastRun(stack: Stack, transferId: string): Promise<{ continued: boolean; activities: Set<string> }> {
  const history = await stack.client.workflow.getHandle(workflowIdFor(transferId)).fetchHistory();
  const EventType = temporal.api.enums.v1.EventType;
  const activities = new Set<string>();
  let continued = false;
  for (const event of history.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) continued = !!event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) activities.add(name);
  }
  return { continued, activities };
}

/** Each album folder was created by exactly one request (none sent again, none answered 409). */
function assertEachAlbumCreatedOnce(stack: Stack, albums: number): void {
  const creates = [...stack.google.stats.metadataCreatesById.values()];
  assert.equal(creates.length, albums + 1, 'a create for the gallery folder and each album');
  assert.deepEqual({ resent: creates.filter((n) => n > 1).length, conflicts: stack.google.stats.metadataConflicts }, { resent: 0, conflicts: 0 }, 'no create sent twice');
}

// At 30 writes/s, not Drive's 3 (bench B6 measures that): the same shape in a minute. The emulator lets 3 writes
// through at once: at 33 ms apart, a loaded machine's event-loop stalls would otherwise bunch requests into an
// exact limit and the test would measure those rejections instead.
describe('Google Drive: 310 albums, 910 photos at 30 writes/s', () => {
  const RATE = 30;
  let stack: Stack;
  before(async () => {
    stack = await startStack({ google: { writesPerSecond: RATE, writeBurst: 3 }, env: { DRIVE_WRITES_PER_SECOND: String(RATE), DRIVE_WRITE_BURST: '1' } });
  });
  after(async () => stack?.close());

  test('every album made once, photos start before the last album, near the write floor', async (t) => {
    // Three portraits per pupil: the first page (500 photos) needs about half of the albums.
    const files = schoolShoot(10, 30, 3);
    const { result, seconds } = await copy(stack, files, 'School 2026');
    assert.deepEqual({ state: result.state, done: result.filesDone, failed: result.filesFailed }, { state: 'succeeded', done: files.length, failed: 0 }, result.error ?? '');
    assertTree(driveNodes(stack.google), 'School 2026', files);
    assertEachAlbumCreatedOnce(stack, 10 * 31);

    const nodes = stack.google.tree();
    const created = (folder: boolean) => nodes.filter((n) => (n.mimeType === 'application/vnd.google-apps.folder') === folder).map((n) => Date.parse(n.createdTime));
    // Album creates go first in the pacer; photos whose albums exist take the slots left between batches.
    assert.ok(Math.min(...created(false)) < Math.max(...created(true)), 'photos were copied while later albums were still being made');

    const floor = stack.google.stats.writes / RATE;
    const first = Math.min(...created(true));
    t.diagnostic(`${stack.google.stats.writes} writes in ${seconds.toFixed(1)} s; floor ${floor.toFixed(1)} s (${(seconds / floor).toFixed(2)} ×); ${stack.google.stats.rateLimited} rate-limit answers; albums done +${((Math.max(...created(true)) - first) / 1000).toFixed(1)} s, photos from +${((Math.min(...created(false)) - first) / 1000).toFixed(1)} to +${((Math.max(...created(false)) - first) / 1000).toFixed(1)} s`);
    assert.ok(seconds <= floor * 1.3 + 10, `${seconds.toFixed(1)} s is far from the write floor of ${floor.toFixed(1)} s`);
  });
});

describe('Google Drive: a continue-as-new among the albums', () => {
  let stack: Stack;
  before(async () => {
    // One photo per activity, small folder batches and pages: history enough for a continue-as-new mid-transfer.
    stack = await startStack({ env: { FOLDERS_PER_ACTIVITY: '25', FILES_PER_ACTIVITY: '1', LISTING_PAGE_SIZE: '100' } });
  });
  after(async () => stack?.close());

  test('the new run goes on from the folder cursor and finds the albums an earlier run made', async () => {
    const files = schoolShoot(40, 30);
    const { transferId, result } = await copy(stack, files, 'School 2027');
    assert.deepEqual({ state: result.state, done: result.filesDone, failed: result.filesFailed }, { state: 'succeeded', done: files.length, failed: 0 }, result.error ?? '');
    assertTree(driveNodes(stack.google), 'School 2027', files);
    assertEachAlbumCreatedOnce(stack, 40 * 31);
    const run = await lastRun(stack, transferId);
    assert.ok(run.continued, 'the transfer continued as new');
    assert.ok(run.activities.has('findFolders'), `the last run looked up albums an earlier run made: ${[...run.activities].join(', ')}`);
  });
});

describe('Yandex Disk: nested albums across batch boundaries', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { FOLDERS_PER_ACTIVITY: '7', YANDEX_SERVER_SIDE_FETCH: 'false' } });
  });
  after(async () => stack?.close());

  test('every album in its class, every photo in its album, each album made once', async () => {
    const files = schoolShoot(8, 15);
    const { result } = await copy(stack, files, 'School (Disk)', 'yadisk');
    assert.deepEqual({ state: result.state, done: result.filesDone, failed: result.filesFailed }, { state: 'succeeded', done: files.length, failed: 0 }, result.error ?? '');
    assertTree(yandexNodes(stack.yandex), 'School (Disk)', files);
    assert.equal(stack.yandex.stats.requests.mkdir, 1 + 8 * 16, 'one request for the (staged) gallery folder and one per album');
  });
});
