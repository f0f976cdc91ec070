import { randomBytes } from 'node:crypto';
import { workflowIdFor } from '../../src/shared/types';
import { sampleFiles, type SpecFile } from '../helpers/drive-tree';
import { ARCHIVE_HOST, type Stack } from '../helpers/stack';

/**
 * The transfers whose histories test/replay keeps: one per way a transfer can go, on each destination. Each runs a
 * real transfer on a test stack (scripts/record-histories.ts) and returns its transfer id once it has ended.
 * A new path through the workflow (a phase, a signal, an ending) deserves a scenario here.
 */
export interface Scenario {
  name: string;
  /** The stack's environment this scenario needs (all scenarios of one recording share a stack per env). */
  env?: Record<string, string>;
  run(stack: Stack): Promise<string>;
}

let galleryCounter = 700000 + Math.floor(Math.random() * 50000);

function gallery(stack: Stack, files: SpecFile[], name: string) {
  const galleryId = String(galleryCounter++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  return { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: name };
}

async function transfer(stack: Stack, files: SpecFile[], name: string, extra: Record<string, string> = {}): Promise<string> {
  const { transferId } = await stack.consent({ ...gallery(stack, files, name), ...extra });
  if (!transferId) throw new Error(`consent for ${name} gave no transfer id`);
  return transferId;
}

async function callbackOf(stack: Stack, transferId: string): Promise<{ status: string }> {
  const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 120_000);
  return callback.json as { status: string };
}

/** A photo the gallery cannot serve for the first copy, then the support retry copies it. */
async function partiallyFailedThenRetried(stack: Stack, extra: Record<string, string>, reads: number): Promise<string> {
  const files = sampleFiles({ small: 3, large: 0 });
  stack.gallery.faultFile(files[1]!.id, Array.from({ length: reads }, () => ({ status: 404 })));
  const transferId = await transfer(stack, files, 'Retried', extra);
  await callbackOf(stack, transferId);
  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  await handle.executeUpdate('retryFailed');
  await stack.result(transferId);
  return transferId;
}

const YANDEX = { cloud_type: 'yadisk' };

/** Until the transfer's progress says it is parked at a daily cap. */
async function parked(stack: Stack, transferId: string): Promise<void> {
  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  for (let deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const progress = await handle.query<{ state: string }>('progress').catch(() => null);
    if (progress?.state === 'waiting_quota') return;
  }
  throw new Error(`transfer ${transferId} never parked`);
}

/** Parked at a daily cap (#14, #15, patched 'quota-park'). */
const PARKING = { QUOTA_PARK_AFTER_MINUTES: '0.02', QUOTA_PROBE_MINUTES: '0.02', FILES_PER_ACTIVITY: '2', TRANSFER_CONCURRENCY: '2' };

/**
 * Saved twice, photos added between: the second transfer adds them to the first one's gallery folder (#15 part 4,
 * patched 'save-again'). Returns the second.
 */
async function savedAgain(stack: Stack): Promise<string> {
  const files = sampleFiles({ small: 4, large: 0 });
  const spec = { galleryId: String(galleryCounter++), hash: randomBytes(16).toString('hex') };
  const body = { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${spec.galleryId}/${spec.hash}?mod=web`, gallery_name: 'Again' };
  const save = async () => {
    const { transferId } = await stack.consent(body);
    if (!transferId) throw new Error('consent for Again gave no transfer id');
    await stack.result(transferId);
    return transferId;
  };
  stack.gallery.addGallery({ ...spec, files });
  await save();
  stack.gallery.addGallery({ ...spec, files: [...files, ...sampleFiles({ small: 3, large: 0 })] });
  return save();
}

export const SCENARIOS: Scenario[] = [
  { name: 'drive-saved-again', run: savedAgain },
  {
    name: 'drive-succeeded',
    async run(stack) {
      const transferId = await transfer(stack, sampleFiles({ small: 6, large: 1, largeSize: 3 * 1024 * 1024 }), 'Succeeded');
      await stack.result(transferId);
      return transferId;
    },
  },
  { name: 'drive-partially-failed-then-retried', run: (stack) => partiallyFailedThenRetried(stack, {}, 1) },
  {
    name: 'drive-cancelled',
    async run(stack) {
      const files = sampleFiles({ small: 2, large: 1, largeSize: 20 * 1024 * 1024 });
      stack.gallery.faultFile(files[2]!.id, [{ slowBytesPerSecond: 512 * 1024 }]);
      const transferId = await transfer(stack, files, 'Cancelled');
      await new Promise<void>((resolve) => {
        stack.google.faults.add({ op: 'resumableInit', times: 1, when: () => (setImmediate(resolve), false), action: { status: 500 } });
      });
      const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
      await handle.cancel();
      await callbackOf(stack, transferId);
      await handle.result().catch(() => undefined);
      return transferId;
    },
  },
  {
    name: 'drive-continued-as-new',
    // One photo per activity and small pages: ~1,400 photos pass the 6,000-event budget once.
    env: { FILES_PER_ACTIVITY: '1', LISTING_PAGE_SIZE: '100', TRANSFER_CONCURRENCY: '16' },
    async run(stack) {
      const transferId = await transfer(stack, sampleFiles({ small: 1400, large: 0 }), 'Long');
      await stack.result(transferId, 15 * 60_000);
      return transferId;
    },
  },
  {
    name: 'drive-account-stopped',
    async run(stack) {
      stack.google.setOptions({ storageQuotaBytes: 0 });
      try {
        const transferId = await transfer(stack, sampleFiles({ small: 3, large: 0 }), 'Full');
        await callbackOf(stack, transferId);
        await stack.result(transferId).catch(() => undefined);
        return transferId;
      } finally {
        stack.google.setOptions({ storageQuotaBytes: undefined });
      }
    },
  },
  {
    name: 'yandex-succeeded',
    async run(stack) {
      const transferId = await transfer(stack, sampleFiles({ small: 6, large: 1, largeSize: 3 * 1024 * 1024 }), 'Succeeded', YANDEX);
      await stack.result(transferId);
      return transferId;
    },
  },
  // Yandex fetches from the gallery itself first, then we stream: the photo is missing for both reads.
  { name: 'yandex-partially-failed-then-retried', run: (stack) => partiallyFailedThenRetried(stack, YANDEX, 2) },
  {
    // The Drive fills up at the 4th of 10 photos (pages of 2, one at a time); once it has room, the retry copies
    // the failed photo and resumes at the page never loaded (#12, patched 'retry-all-not-copied').
    name: 'drive-stopped-then-resumed',
    env: { FILES_PER_ACTIVITY: '1', LISTING_PAGE_SIZE: '2', TRANSFER_CONCURRENCY: '1' },
    async run(stack) {
      stack.google.setOptions({ storageQuotaBytes: 30_000 });
      try {
        const transferId = await transfer(stack, sampleFiles({ small: 10, large: 0 }), 'Resumed');
        await callbackOf(stack, transferId);
        stack.google.setOptions({ storageQuotaBytes: undefined });
        await stack.client.workflow.getHandle(workflowIdFor(transferId)).executeUpdate('retryFailed');
        await stack.result(transferId);
        return transferId;
      } finally {
        stack.google.setOptions({ storageQuotaBytes: undefined });
      }
    },
  },
  {
    // Drive's daily upload limit reached part-way: parked, probed, resumed on the next (emulated) day.
    name: 'drive-parked-then-resumed',
    env: PARKING,
    async run(stack) {
      let day = 1;
      const files = sampleFiles({ small: 8, large: 0 });
      const half = files.slice(0, 4).reduce((sum, f) => sum + f.size, 0);
      stack.google.setOptions({ driveUploadBytesPerDay: stack.google.dailyUploads().bytes + half, driveQuotaDay: () => String(day) });
      try {
        const transferId = await transfer(stack, files, 'Parked');
        await parked(stack, transferId);
        // The next day, with room for the rest of the gallery.
        day = 2;
        stack.google.setOptions({ driveUploadBytesPerDay: undefined });
        await stack.result(transferId);
        return transferId;
      } finally {
        stack.google.setOptions({ driveUploadBytesPerDay: undefined });
      }
    },
  },
  {
    // Google Photos' daily quota: parked until after midnight Pacific, cancelled while parked.
    name: 'photos-parked-then-cancelled',
    env: PARKING,
    async run(stack) {
      stack.google.setOptions({ photosRequestsPerDay: stack.google.photos.dailyQuota().used + 10 });
      try {
        const transferId = await transfer(stack, sampleFiles({ small: 8, large: 0 }), 'Quota', { cloud_type: 'google_photos' });
        await parked(stack, transferId);
        const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
        await handle.cancel();
        await callbackOf(stack, transferId);
        await handle.result().catch(() => undefined);
        return transferId;
      } finally {
        stack.google.setOptions({ photosRequestsPerDay: 10_000 });
      }
    },
  },
  {
    // Google Photos' daily quota used up before the transfer starts: parked at the gallery's album, tried again after
    // each of the worker's 2-second quota days, resumed on the emulator's next day (patched 'quota-park-steps').
    name: 'photos-parked-at-album-then-resumed',
    env: { ...PARKING, GOOGLE_PHOTOS_QUOTA_DAY_SECONDS: '2' },
    async run(stack) {
      let day = 1;
      stack.google.setOptions({ photosRequestsPerDay: stack.google.photos.dailyQuota().used, photosQuotaDay: () => String(day) });
      try {
        const transferId = await transfer(stack, sampleFiles({ small: 8, large: 0 }), 'Album', { cloud_type: 'google_photos' });
        await parked(stack, transferId);
        day = 2;
        stack.google.setOptions({ photosRequestsPerDay: 10_000 });
        await stack.result(transferId);
        return transferId;
      } finally {
        stack.google.setOptions({ photosRequestsPerDay: 10_000 });
      }
    },
  },
  {
    // In the retry window: the callback sent again, then a cancel that only closes the window (#12, patched
    // 'window-cancel-without-callback').
    name: 'drive-resent-then-cancelled-in-window',
    async run(stack) {
      const files = sampleFiles({ small: 3, large: 0 });
      stack.gallery.faultFile(files[1]!.id, [{ status: 404 }]);
      const transferId = await transfer(stack, files, 'Window');
      const mine = (c: { json: unknown }) => (c.json as { transfer_id?: string }).transfer_id === transferId;
      const first = await stack.gallery.waitForCallback(mine, 120_000);
      const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
      await handle.executeUpdate('resendCallback');
      await stack.gallery.waitForCallback((c) => c !== first && mine(c), 120_000);
      await handle.cancel();
      await handle.result().catch(() => undefined);
      return transferId;
    },
  },
];
