import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { workflowIdFor } from '../../src/shared/types';
import { assertTree, driveNodes, photosNodes, sampleFiles, SpecFile, TreeNode, yandexNodes } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * The same scenarios, with the same gallery and the same assertions on the tree and the callback, for every
 * destination: Google Drive, and Yandex Disk both with server-side fetch (Yandex downloads the photos) and
 * with streaming through the worker, and Google Photos. Only the faults are spelled per provider, since their
 * protocols differ.
 */

const KiB = 1024;

interface Destination {
  label: string;
  cloudType: 'google_drive' | 'yadisk' | 'google_photos';
  env: Record<string, string>;
  tree(stack: Stack): TreeNode[];
  folderUrl: RegExp;
  revoked(stack: Stack): number;
  refreshes(stack: Stack): number;
  /** Upload-side failures a provider really produces: 5xx, and a write whose answer is lost. */
  transientFaults(stack: Stack): void;
  faultsFired(stack: Stack): number;
  /** Gallery requests one copy of a photo makes (server-side fetch: Yandex's, then our stream fallback). */
  readsPerCopy: number;
  /** From the next few calls on, every access token issued so far is dead (401). */
  expireTokensMidTransfer(stack: Stack): void;
  /** The next copy of the photo named `name` is stored wrong, as this destination's checks can see (null: cannot be staged). */
  corruptOnce: ((stack: Stack, name: string) => void) | null;
  /** The account's storage limit from now on (undefined: unlimited); null: the destination cannot tell its free space. */
  limitStorage: ((stack: Stack, bytes: number | undefined) => void) | null;
}

const google: Destination = {
  label: 'Google Drive',
  cloudType: 'google_drive',
  env: {},
  readsPerCopy: 1,
  tree: (stack) => driveNodes(stack.google),
  folderUrl: /^https:\/\/drive\.google\.com\/drive\/folders\/[\w-]+$/,
  revoked: (stack) => stack.google.revokedRefreshTokens().length,
  refreshes: (stack) => stack.google.stats.tokenRefreshes,
  faultsFired: (stack) => stack.google.faults.fired.length,
  transientFaults: (stack) => {
    stack.google.faults.add({ op: 'multipart', times: 1, action: { status: 503 } });
    stack.google.faults.add({ op: 'chunk', times: 1, action: { status: 500 } });
    stack.google.faults.add({ op: 'chunk', times: 1, action: 'commitThenReset' });
  },
  expireTokensMidTransfer: (stack) => {
    let chunks = 0;
    stack.google.faults.add({
      op: 'chunk',
      times: 1,
      when: () => ++chunks === 2 && (stack.google.expireAllAccessTokens(), true),
      action: { status: 401, reason: 'authError', message: 'Invalid Credentials' },
    });
  },
  corruptOnce: (stack, name) => stack.google.faults.add({ op: 'multipart', when: (ctx) => ctx.fileName === name, action: 'corruptStored' }),
  limitStorage: (stack, bytes) => stack.google.setOptions({ storageQuotaBytes: bytes }),
};

const photos: Destination = {
  label: 'Google Photos',
  cloudType: 'google_photos',
  env: { GOOGLE_PHOTOS_CHUNK_BYTES: String(256 * KiB) },
  readsPerCopy: 1,
  tree: (stack) => photosNodes(stack.google),
  folderUrl: /^https:\/\/photos\.google\.com\/lr\/album\/[\w-]+$/,
  revoked: (stack) => stack.google.revokedRefreshTokens().length,
  refreshes: (stack) => stack.google.stats.tokenRefreshes,
  faultsFired: (stack) => stack.google.faults.fired.length,
  transientFaults: (stack) => {
    stack.google.faults.add({ op: 'photosRawUpload', times: 1, action: { status: 503 } });
    stack.google.faults.add({ op: 'photosUploadChunk', times: 1, action: { status: 500 } });
    stack.google.faults.add({ op: 'photosUploadChunk', times: 1, action: 'commitThenReset' });
    // Made, but the answers are lost: the retries must find them, not make a second album or item.
    stack.google.faults.add({ op: 'photosAlbumCreate', times: 1, action: 'commitThenReset' });
    stack.google.faults.add({ op: 'photosBatchCreate', times: 1, action: 'commitThenReset' });
  },
  expireTokensMidTransfer: (stack) => {
    let chunks = 0;
    stack.google.faults.add({
      op: 'photosUploadChunk',
      times: 1,
      when: () => ++chunks === 2 && (stack.google.expireAllAccessTokens(), true),
      action: { status: 401 },
    });
  },
  // The emulator cannot store Photos bytes wrong, and Photos reports nothing to check but the size received.
  corruptOnce: null,
  // The Library API tells nothing of the account's storage (Drive's about.get needs a Drive scope we do not ask for):
  // a full account shows at batchCreate instead (see its own test below).
  limitStorage: null,
};

function yandex(serverSideFetch: boolean): Destination {
  return {
    label: `Yandex Disk (${serverSideFetch ? 'server-side fetch' : 'streaming'})`,
    cloudType: 'yadisk',
    env: { YANDEX_SERVER_SIDE_FETCH: String(serverSideFetch) },
    readsPerCopy: serverSideFetch ? 2 : 1,
    tree: (stack) => yandexNodes(stack.yandex),
    folderUrl: /^https:\/\/disk\.yandex\.ru\/client\/disk\/.+$/,
    revoked: (stack) => stack.yandex.revokedTokens().length,
    refreshes: (stack) => stack.yandex.stats.tokenRefreshes,
    faultsFired: (stack) => stack.yandex.faults.fired.length,
    transientFaults: (stack) => {
      stack.yandex.faults.add({ op: 'mkdir', times: 1, action: { status: 503 } });
      // The gallery folder is made, but the answer is lost: the retry must not make a second one beside it.
      stack.yandex.faults.add({ op: 'mkdir', times: 1, action: 'commitThenReset' });
      stack.yandex.faults.add({ op: 'move', times: 1, action: 'commitThenReset' });
      stack.yandex.faults.add({ op: 'getResource', times: 1, action: { status: 500 } });
      if (serverSideFetch) {
        stack.yandex.faults.add({ op: 'uploadByUrl', times: 1, action: { status: 503 } });
        // The download starts but the answer is lost: the retry's second download must not leave two files.
        stack.yandex.faults.add({ op: 'uploadByUrl', times: 1, action: 'commitThenReset' });
        stack.yandex.faults.add({ op: 'operation', times: 2, action: { status: 502 } });
      } else {
        stack.yandex.faults.add({ op: 'uploadLink', times: 1, action: { status: 503 } });
        stack.yandex.faults.add({ op: 'upload', times: 1, action: { status: 500 } });
        stack.yandex.faults.add({ op: 'upload', times: 1, action: 'commitThenReset' });
      }
    },
    expireTokensMidTransfer: (stack) => {
      let calls = 0;
      stack.yandex.faults.add({
        op: '*',
        times: 1,
        when: (ctx) => ctx.op !== 'token' && ctx.op !== 'refresh' && ++calls === 6 && (stack.yandex.expireAllAccessTokens(), false),
        action: { status: 500 },
      });
    },
    // Server-side fetch can check only the size (the listing has a CRC32, which Yandex does not report): there the
    // damage is a lost byte; a flipped one would go unseen.
    corruptOnce: (stack, name) =>
      stack.yandex.faults.add({
        op: serverSideFetch ? 'uploadByUrl' : 'upload',
        when: (ctx) => ctx.path?.endsWith(`/${name}`) ?? false,
        action: serverSideFetch ? 'truncateStored' : 'corruptStored',
      }),
    limitStorage: (stack, bytes) => stack.yandex.setOptions({ storageQuotaBytes: bytes }),
  };
}

for (const destination of [google, yandex(true), yandex(false), photos]) {
  describe(`${destination.label}: the same gallery, the same outcome`, () => {
    let stack: Stack;
    let galleryCounter = 700000 + Math.floor(Math.random() * 100000);

    before(async () => {
      stack = await startStack({
        env: { MULTIPART_MAX_BYTES: String(1024 * KiB), UPLOAD_CHUNK_BYTES: String(256 * KiB), FILES_PER_ACTIVITY: '4', ...destination.env },
      });
    });
    after(async () => stack?.close());

    function newGallery(files: SpecFile[], name: string) {
      const galleryId = String(galleryCounter++);
      const hash = randomBytes(16).toString('hex');
      stack.gallery.addGallery({ galleryId, hash, files });
      return { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: name, cloud_type: destination.cloudType };
    }

    async function callbackOf(transferId: string) {
      const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
      assert.ok(callback.signatureValid, 'callback is signed with CALLBACK_SECRET');
      return callback.json as Record<string, unknown>;
    }

    test('a gallery with albums and multi-chunk files lands exactly; signed callback; token revoked', async () => {
      const files = sampleFiles({ small: 12, large: 2, largeSize: 1300 * KiB });
      const body = newGallery(files, 'Wedding of A & B');
      const revokedBefore = destination.revoked(stack);
      const { transferId } = await stack.consent(body);
      assert.ok(transferId);
      const result = (await stack.result(transferId)) as { state: string; filesDone: number; bytesDone: number };
      assert.equal(result.state, 'succeeded');
      assert.equal(result.filesDone, files.length);
      assert.equal(result.bytesDone, files.reduce((s, f) => s + f.size, 0));
      assertTree(destination.tree(stack), 'Wedding of A & B', files);

      const callback = await callbackOf(transferId);
      assert.deepEqual(
        { ...callback, sent_at: undefined, folder_url: undefined },
        {
          status: 'succeeded',
          cloud_type: destination.cloudType,
          archive_type: 'originals',
          failed_photos: 0,
          transfer_id: transferId,
          gallery_name: 'Wedding of A & B',
          archive_url: body.archive_url,
          files_total: files.length,
          files_uploaded: files.length,
          files_skipped: 0,
          folder_url: undefined,
          sent_at: undefined,
        },
      );
      assert.match(String(callback.folder_url), destination.folderUrl);
      assert.ok(destination.revoked(stack) > revokedBefore, 'the token is revoked at the end');
    });

    test('transient gallery and provider failures, and answers lost after the write: exact tree', async () => {
      const files = sampleFiles({ small: 4, large: 1, largeSize: 1100 * KiB });
      stack.gallery.faultFile(files[0]!.id, [{ status: 503 }, { resetAfterBytes: 100 }]);
      stack.gallery.faultFile(files[4]!.id, [{ resetAfterBytes: 400 * KiB }]);
      const firedBefore = destination.faultsFired(stack);
      destination.transientFaults(stack);
      const { transferId } = await stack.consent(newGallery(files, 'Flaky'));
      const result = (await stack.result(transferId!)) as { state: string; filesFailed: number };
      assert.equal(result.state, 'succeeded', JSON.stringify(await failedFiles(stack, transferId!)));
      assertTree(destination.tree(stack), 'Flaky', files);
      assert.deepEqual(topLevel(destination.tree(stack), 'Flaky'), ['Flaky'], 'one gallery folder, no twin');
      const fired = destination.faultsFired(stack) - firedBefore;
      assert.ok(fired >= 3, `the provider faults happened (${fired} fired)`);
    });

    test('a copy the destination stores wrong is deleted and fails with verification_failed; retryFailed copies it', { skip: destination.corruptOnce === null && 'cannot be staged' }, async () => {
      const files = sampleFiles({ small: 4, large: 0 });
      const victim = files[1]!;
      const firedBefore = destination.faultsFired(stack);
      destination.corruptOnce!(stack, victim.name.slice(victim.name.lastIndexOf('/') + 1));
      const { transferId } = await stack.consent(newGallery(files, 'Damaged'));
      const first = await callbackOf(transferId!);
      assert.deepEqual([first.status, first.failed_photos], ['partially_failed', 1]);
      assert.equal(destination.faultsFired(stack) - firedBefore, 1, 'the damage was done once');
      // The wrong copy is gone: the destination holds every other photo and nothing in its place.
      assertTree(destination.tree(stack), 'Damaged', files, { missing: [victim.id] });
      const handle = stack.client.workflow.getHandle(workflowIdFor(transferId!));
      const failed = (await handle.query('failedFiles')) as Array<{ name: string; code: string; reason: string }>;
      assert.deepEqual(failed.map((f) => [f.name, f.code]), [[victim.name, 'verification_failed']], JSON.stringify(failed));

      assert.deepEqual(await handle.executeUpdate('retryFailed'), { files: 1 });
      assert.equal(((await handle.result()) as { state: string }).state, 'succeeded');
      assertTree(destination.tree(stack), 'Damaged', files);
    });

    test('a gallery larger than the free space fails at once with nothing written; retryFailed after freeing space copies it all', { skip: destination.limitStorage === null && 'cannot tell its free space' }, async () => {
      const limitStorage = destination.limitStorage!;
      const files = sampleFiles({ small: 4, large: 1, largeSize: 1100 * KiB });
      const bytes = files.reduce((s, f) => s + f.size, 0);
      limitStorage(stack, bytes - 1);
      const before = destination.tree(stack).length;
      try {
        const { transferId } = await stack.consent(newGallery(files, 'Too big'));
        const first = await callbackOf(transferId!);
        assert.deepEqual(
          [first.status, first.error_code, first.bytes_needed, first.files_uploaded, first.folder_url],
          ['failed', 'not_enough_space', bytes, 0, null],
          JSON.stringify(first),
        );
        assert.ok(Number(first.bytes_free) < bytes, `bytes_free ${first.bytes_free}`);
        assert.equal(destination.tree(stack).length, before, 'nothing was written');
        const handle = stack.client.workflow.getHandle(workflowIdFor(transferId!));
        const status = (await (await fetch(`${stack.apiUrl}/cloud_archive/transfers/${transferId}`)).json()) as { metadata: Record<string, unknown> };
        assert.deepEqual([status.metadata.state, status.metadata.error_code, status.metadata.bytes_needed], ['failed', 'not_enough_space', bytes]);

        limitStorage(stack, undefined); // the user frees space
        assert.deepEqual(await handle.executeUpdate('retryFailed'), { files: files.length });
        assert.equal(((await stack.result(transferId!)) as { state: string }).state, 'succeeded');
        assertTree(destination.tree(stack), 'Too big', files);
      } finally {
        limitStorage(stack, undefined);
      }
    });

    test('a missing photo: failed_photos 1 with a reason, then copied by retryFailed', async () => {
      const files = sampleFiles({ small: 3, large: 0 });
      // Missing for this copy (Yandex's own fetch included); back when support retries.
      stack.gallery.faultFile(files[1]!.id, Array.from({ length: destination.readsPerCopy }, () => ({ status: 404 })));
      const { transferId } = await stack.consent(newGallery(files, 'Missing'));
      const first = await callbackOf(transferId!);
      assert.equal(first.status, 'partially_failed');
      assert.equal(first.failed_photos, 1);
      assertTree(destination.tree(stack), 'Missing', files, { missing: [files[1]!.id] });
      const handle = stack.client.workflow.getHandle(workflowIdFor(transferId!));
      const failed = (await handle.query('failedFiles')) as Array<{ name: string; reason: string }>;
      assert.equal(failed.length, 1);
      assert.match(failed[0]!.reason, /gallery has no file/);

      assert.deepEqual(await handle.executeUpdate('retryFailed'), { files: 1 });
      const result = (await handle.result()) as { state: string; filesDone: number };
      assert.equal(result.state, 'succeeded');
      assertTree(destination.tree(stack), 'Missing', files);
    });

    test('access tokens that die mid-transfer are refreshed and the copy goes on', async () => {
      const files = sampleFiles({ small: 6, large: 1, largeSize: 1200 * KiB });
      destination.expireTokensMidTransfer(stack);
      const before = destination.refreshes(stack);
      const { transferId } = await stack.consent(newGallery(files, 'Expiring'));
      const result = (await stack.result(transferId!)) as { state: string };
      assert.equal(result.state, 'succeeded', JSON.stringify(await failedFiles(stack, transferId!)));
      assert.ok(destination.refreshes(stack) > before + 1, 'refreshed again after the tokens died');
      assertTree(destination.tree(stack), 'Expiring', files);
    });

    if (destination.cloudType === 'google_photos') {
      test('a lost batchCreate answer, then an album unreadable until the next attempt: every photo once', async () => {
        const files = sampleFiles({ small: 4, large: 0 });
        const firedBefore = stack.google.faults.fired.length;
        stack.google.faults.add({ op: 'photosBatchCreate', times: 1, action: 'commitThenReset' });
        // Long enough to outlast the caller's retries: the activity fails with its items maybe made.
        stack.google.faults.add({ op: 'photosMediaSearch', times: 5, action: { status: 500 } });
        const { transferId } = await stack.consent(newGallery(files, 'Lost answer'));
        const result = (await stack.result(transferId!)) as { state: string };
        assert.equal(result.state, 'succeeded', JSON.stringify(await failedFiles(stack, transferId!)));
        assert.equal(stack.google.faults.fired.length - firedBefore, 6, 'every fault fired');
        assertTree(destination.tree(stack), 'Lost answer', files);
      });

      test('a full account fails the transfer with a clear reason instead of trying every photo', async () => {
        const files = sampleFiles({ small: 3, large: 0 });
        stack.google.setOptions({ storageQuotaBytes: 0 });
        try {
          const { transferId } = await stack.consent(newGallery(files, 'Full'));
          const callback = await callbackOf(transferId!);
          assert.equal(callback.status, 'failed');
          const failed = (await failedFiles(stack, transferId!)) as Array<{ code: string; reason: string }>;
          assert.ok(failed.length >= 1 && failed.every((f) => f.code === 'gphotos_storage_full'), JSON.stringify(failed));
          assert.match(failed[0]!.reason, /storage is full/);
        } finally {
          stack.google.setOptions({ storageQuotaBytes: undefined });
        }
      });
    }

    if (destination.cloudType === 'yadisk') {
      test('bytes through the worker: none with server-side fetch, every byte when streaming', async () => {
        const files = sampleFiles({ small: 5, large: 1, largeSize: 1100 * KiB });
        const total = files.reduce((s, f) => s + f.size, 0);
        const { uploaded, fetched } = { uploaded: stack.yandex.stats.bytesUploaded, fetched: stack.yandex.stats.bytesFetched };
        const { transferId } = await stack.consent(newGallery(files, 'Bytes'));
        assert.equal(((await stack.result(transferId!)) as { state: string }).state, 'succeeded');
        assertTree(destination.tree(stack), 'Bytes', files);
        const sent = stack.yandex.stats.bytesUploaded - uploaded;
        const byYandex = stack.yandex.stats.bytesFetched - fetched;
        if (destination.env.YANDEX_SERVER_SIDE_FETCH === 'true') assert.deepEqual({ sent, byYandex }, { sent: 0, byYandex: total });
        else assert.deepEqual({ sent, byYandex }, { sent: total, byYandex: 0 });
      });

      test("Yandex's slow answers: 202 and files that appear later, 429 with Retry-After, 423 locked: exact tree", async () => {
        const files = sampleFiles({ small: 5, large: 1, largeSize: 1100 * KiB });
        const serverSide = destination.env.YANDEX_SERVER_SIDE_FETCH === 'true';
        const write = serverSide ? 'uploadByUrl' : 'upload';
        const retryAfter = retryAfterGap(stack, serverSide ? 'uploadByUrl' : 'uploadLink');
        stack.yandex.faults.add({ op: write, times: 2, action: { status: 423 } });
        stack.yandex.faults.add({ op: 'mkdir', times: 1, action: { status: 423 } });
        const firedBefore = stack.yandex.faults.fired.length;
        const pollsBefore = stack.yandex.stats.requests.operation ?? 0;
        stack.yandex.setOptions({ finalizeDelayMs: 1000 });
        try {
          const { transferId } = await stack.consent(newGallery(files, 'Slow Disk'));
          const callback = await callbackOf(transferId!);
          assert.equal(callback.status, 'succeeded', JSON.stringify(await failedFiles(stack, transferId!)));
        } finally {
          stack.yandex.setOptions({ finalizeDelayMs: 0 });
        }
        assertTree(destination.tree(stack), 'Slow Disk', files);
        const fired = stack.yandex.faults.fired.slice(firedBefore).map((f) => `${f.ctx.op} ${typeof f.action === 'object' ? f.action.status : f.action}`);
        assert.deepEqual(fired.sort(), [`${write} 423`, `${write} 423`, 'mkdir 423', `${serverSide ? 'uploadByUrl' : 'uploadLink'} 429`].sort());
        const gap = retryAfter();
        assert.ok(gap !== undefined && gap >= 950, `the rate-limited request came again only after Retry-After (1 s): ${gap} ms`);
        // Every file was still being finalised when first asked about: its operation was polled more than once.
        const polls = (stack.yandex.stats.requests.operation ?? 0) - pollsBefore;
        assert.ok(polls >= 2 * files.length, `operations polled until the files appeared (${polls} polls)`);
      });

      if (destination.env.YANDEX_SERVER_SIDE_FETCH === 'false') {
        test('upload links that die before a retry are replaced: every photo arrives', async () => {
          const files = sampleFiles({ small: 4, large: 1, largeSize: 1100 * KiB });
          // A retry after these comes after the caller's 500 ms backoff, when a 450 ms link is dead.
          stack.yandex.faults.add({ op: 'upload', times: 2, action: { status: 500 } });
          const firedBefore = stack.yandex.faults.fired.length;
          const linksBefore = stack.yandex.stats.requests.uploadLink ?? 0;
          stack.yandex.setOptions({ uploadLinkTtlMs: 450 });
          try {
            const { transferId } = await stack.consent(newGallery(files, 'Short links'));
            const callback = await callbackOf(transferId!);
            assert.equal(callback.status, 'succeeded', JSON.stringify(await failedFiles(stack, transferId!)));
          } finally {
            stack.yandex.setOptions({ uploadLinkTtlMs: 30 * 60_000 });
          }
          assertTree(destination.tree(stack), 'Short links', files);
          assert.equal(stack.yandex.faults.fired.length - firedBefore, 2);
          const links = (stack.yandex.stats.requests.uploadLink ?? 0) - linksBefore;
          assert.ok(links >= files.length + 2, `new links replaced the dead ones (${links} links for ${files.length} photos)`);
        });
      }

      test('a full Disk fails the transfer with a clear reason instead of trying every photo', async () => {
        const files = sampleFiles({ small: 3, large: 0 });
        // Room enough when the transfer checks the free space; full from the first photo on (the user filled it).
        let filled = false;
        stack.yandex.faults.add({
          op: '*',
          times: 1,
          when: (ctx) => {
            if (!filled && (ctx.op === 'uploadByUrl' || ctx.op === 'uploadLink')) stack.yandex.setOptions({ storageQuotaBytes: 0 });
            filled ||= ctx.op === 'uploadByUrl' || ctx.op === 'uploadLink';
            return false;
          },
          action: { status: 500 },
        });
        try {
          const { transferId } = await stack.consent(newGallery(files, 'Full'));
          const callback = await callbackOf(transferId!);
          assert.equal(callback.status, 'failed');
          const failed = (await failedFiles(stack, transferId!)) as Array<{ code: string; reason: string }>;
          assert.ok(failed.length >= 1 && failed.every((f) => f.code === 'yadisk_storage_full'), JSON.stringify(failed));
          assert.match(failed[0]!.reason, /Yandex Disk is full/);
        } finally {
          stack.yandex.setOptions({ storageQuotaBytes: undefined });
        }
      });
    }
  });
}

/**
 * Answers the first `op` request 429 with Retry-After: 1; returns how long it took until the same path was asked
 * again. The first rule only watches (its condition never holds, so it never fires).
 */
function retryAfterGap(stack: Stack, op: 'uploadLink' | 'uploadByUrl'): () => number | undefined {
  let limited: { path?: string; at: number } | undefined;
  let gap: number | undefined;
  stack.yandex.faults.add({
    op,
    when: (ctx) => {
      if (limited && gap === undefined && ctx.path === limited.path) gap = Date.now() - limited.at;
      return false;
    },
    action: { status: 500 },
  });
  stack.yandex.faults.add({ op, when: (ctx) => ((limited = { path: ctx.path, at: Date.now() }), true), action: { status: 429, retryAfter: 1 } });
  return () => gap;
}

/** Names at the top of the destination that start with `root`: a second save would show as "root (2)". */
function topLevel(tree: TreeNode[], root: string): string[] {
  return tree.filter((n) => !n.path.includes('/') && n.path.startsWith(root)).map((n) => n.path);
}

function failedFiles(stack: Stack, transferId: string) {
  return stack.client.workflow.getHandle(workflowIdFor(transferId)).query('failedFiles');
}
