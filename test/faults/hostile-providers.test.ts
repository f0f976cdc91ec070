import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultAction } from '../../src/emulators/google';
import type { FaultAction as YandexFaultAction } from '../../src/emulators/yandex';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, assertTree, SpecFile, yandexNodes } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { KiB, MiB, assertOneCallback, newGallery, resentBytes, rootCount, seconds } from './support';

/**
 * Fault 5 — every provider misbehaving at once, on one transfer: the gallery answers 503 and drops connections
 * mid-file; Drive fails chunks and requests with 5xx, drops connections, loses upload sessions, loses answers
 * after the write happened, rate-limits writes (4/s while the worker paces at 8/s), and access tokens live 20 s
 * (plus one forced expiry mid-upload). Seeded chaos (fixed seed) on top of targeted faults. One photo is stored
 * corrupt: that copy must be deleted and the photo alone counted as failed (verification_failed); every other
 * photo arrives exactly. The same for Yandex Disk (streaming through the worker), with its own faults.
 */

const CHUNK = 256 * KiB;
const SEED = 20261125;
let stack: Stack;

before(async () => {
  stack = await startStack({
    google: { writesPerSecond: 4, writeBurst: 4, accessTokenTtlSeconds: 20 },
    env: {
      MULTIPART_MAX_BYTES: String(CHUNK),
      UPLOAD_CHUNK_BYTES: String(CHUNK),
      FILES_PER_ACTIVITY: '8',
      DRIVE_WRITES_PER_SECOND: '8',
      DRIVE_WRITE_BURST: '8',
      YANDEX_WRITES_PER_SECOND: '8',
      YANDEX_WRITE_BURST: '8',
      YANDEX_SERVER_SIDE_FETCH: 'false',
      RETRY_WINDOW_HOURS: '0',
    },
  });
});
after(async () => stack?.close());

test('hostile gallery and Drive at once (seeded chaos + targeted faults): exact tree but the corrupted photo, deleted and failed', async (t) => {
  const started = Date.now();
  const small: SpecFile[] = Array.from({ length: 60 }, (_, i) => ({
    id: 7500001 + i,
    name: `${['Ceremony', 'Party', 'Party/Night', 'Portraits'][i % 4]}/h_${String(i).padStart(3, '0')}.jpg`,
    size: 2 * KiB + ((i * 7919) % (200 * KiB)),
  }));
  const large: SpecFile[] = [
    { id: 7500101, name: 'Video/h_clip_a.mp4', size: 7 * CHUNK + 1001 },
    { id: 7500102, name: 'Video/h_clip_b.mp4', size: 6 * CHUNK },
    { id: 7500103, name: 'h_panorama.tif', size: 5 * CHUNK + 3 },
  ];
  const files = [...small, ...large];

  // Gallery: 503s and resets on a quarter of the photos, and mid-file resets on the large ones.
  for (const f of small.filter((_, i) => i % 4 === 1)) stack.gallery.faultFile(f.id, [{ status: 503 }, { resetAfterBytes: Math.floor(f.size / 2) }]);
  stack.gallery.faultFile(large[0]!.id, [{ resetAfterBytes: 3 * CHUNK + 500 }, { status: 503 }]);
  stack.gallery.faultFile(large[1]!.id, [{ status: 502 }, { resetAfterBytes: CHUNK + 1 }]);

  // Drive, targeted: each kind at least once, whatever the chaos draws. The corruption comes first, so no other
  // rule takes the victim's upload.
  const google = stack.google;
  const victim = small[10]!;
  google.faults.add({ op: 'multipart', times: 1, when: (c) => `${c.fileName}` === victim.name.split('/').pop(), action: 'corruptStored' });
  google.faults.add({ op: 'multipart', times: 2, action: 'commitThenReset' });
  google.faults.add({ op: 'createMetadata', times: 1, action: 'commitThenReset' });
  google.faults.add({ op: 'resumableInit', times: 1, action: { status: 503 } });
  google.faults.add({ op: 'chunk', times: 1, when: (c) => c.fileName === 'h_clip_a.mp4' && (c.range?.start ?? 0) >= 2 * CHUNK, action: 'expireSession' });
  google.faults.add({ op: 'chunk', times: 1, when: (c) => c.fileName === 'h_clip_b.mp4' && (c.range?.start ?? 0) >= CHUNK, action: 'commitThenReset' });
  google.faults.add({ op: 'chunk', times: 1, when: (c) => c.fileName === 'h_panorama.tif' && (c.range?.start ?? 0) >= CHUNK, action: { partialCommit: 0 } });
  google.faults.add({ op: 'chunk', times: 2, action: { status: 500 } });
  let chunksSeen = 0;
  google.faults.add({
    op: 'chunk',
    times: 1,
    when: () => {
      if (++chunksSeen !== 6) return false;
      google.expireAllAccessTokens(); // as after an hour at Google: the next calls get 401 and must refresh
      return true;
    },
    action: { status: 401, reason: 'authError', message: 'Invalid Credentials' },
  });
  // Drive, seeded chaos over every Drive operation the worker uses.
  const chaosActions: FaultAction[] = [{ status: 500 }, { status: 503 }, 'reset', 'commitThenReset', 'commitThen500', 'expireSession'];
  google.faults.chaos({
    seed: SEED,
    probability: 0.08,
    actions: chaosActions,
    ops: ['generateIds', 'createMetadata', 'multipart', 'resumableInit', 'chunk', 'statusQuery', 'get'],
  });

  const refreshesBefore = google.stats.tokenRefreshes;
  const body = newGallery(stack, files, 'Hostile providers');
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);
  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  // The callback comes whatever the outcome (a result would wait for the retry window when photos failed).
  await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 240_000).catch(async (err: Error) => {
    throw new Error(`${err.message}; progress: ${JSON.stringify(await handle.query('progress'))}`);
  });
  google.faults.clear();
  const result = (await handle.query('progress')) as { state: string; filesFailed: number; filesDone: number };
  const failed = (await handle.query('failedFiles')) as Array<{ name: string; code: string }>;
  const faultsOfFailed = google.faults.fired.filter((f) => failed.some((x) => x.name.endsWith(f.ctx.fileName ?? '\u0000')));
  assert.deepEqual(failed.map((f) => [f.name, f.code]), [[victim.name, 'verification_failed']], `failed files: ${JSON.stringify(failed)}\nfaults: ${JSON.stringify(faultsOfFailed)}`);
  assert.deepEqual([result.state, result.filesFailed, result.filesDone], ['partially_failed', 1, files.length - 1]);
  assertDriveTree(google, 'Hostile providers', files, { missing: [victim.id] });
  assert.equal(rootCount(google, 'Hostile providers'), 1);
  await assertOneCallback(stack, transferId, { status: 'partially_failed', failed_photos: 1, files_total: files.length, files_uploaded: files.length - 1 });

  const fired = new Map<string, number>();
  for (const { action } of google.faults.fired) {
    const kind = typeof action === 'string' ? action : 'status' in action ? `HTTP ${action.status}` : JSON.stringify(action);
    fired.set(kind, (fired.get(kind) ?? 0) + 1);
  }
  for (const kind of ['HTTP 500', 'HTTP 503', 'reset', 'commitThenReset', 'expireSession', 'HTTP 401', 'corruptStored']) {
    assert.ok(fired.has(kind), `fault ${kind} fired (fired: ${JSON.stringify([...fired])})`);
  }
  assert.ok(google.stats.rateLimited > 0, 'Drive rate-limited some writes');
  assert.ok(google.stats.tokenRefreshes - refreshesBefore >= 2, 'access tokens were refreshed as they expired');
  const resent = resentBytes(google, files);
  t.diagnostic(
    `${files.length} files (${large.length} multi-chunk) in ${seconds(started)} s; Drive faults fired: ${[...fired].map(([k, n]) => `${k}×${n}`).join(', ')}; ` +
      `rate-limited answers: ${google.stats.rateLimited}; token refreshes: ${google.stats.tokenRefreshes - refreshesBefore}; 401s: ${google.stats.unauthorized}; ` +
      `gallery requests: ${Object.values(stack.gallery.stats.requests).reduce((s, n) => s + n, 0)}; bytes re-sent to Drive: ${resent.total}`,
  );
});

test('hostile gallery and Yandex Disk at once (seeded chaos + targeted faults): exact tree but the corrupted photo, deleted and failed', async (t) => {
  const started = Date.now();
  const yandex = stack.yandex;
  const small: SpecFile[] = Array.from({ length: 40 }, (_, i) => ({
    id: 7700001 + i,
    name: `${['Ceremony', 'Party', 'Party/Night', 'Portraits'][i % 4]}/y_${String(i).padStart(3, '0')}.jpg`,
    size: 2 * KiB + ((i * 7919) % (200 * KiB)),
  }));
  const large: SpecFile[] = [
    { id: 7700101, name: 'Video/y_clip.mp4', size: 3 * MiB + 1001 },
    { id: 7700102, name: 'y_panorama.tif', size: 2 * MiB + 3 },
  ];
  const files = [...small, ...large];
  const victim = small[10]!;

  for (const f of small.filter((_, i) => i % 4 === 1)) stack.gallery.faultFile(f.id, [{ status: 503 }, { resetAfterBytes: Math.floor(f.size / 2) }]);
  stack.gallery.faultFile(large[0]!.id, [{ resetAfterBytes: MiB + 500 }, { status: 503 }]);

  // Writes limited to 4/s (429 with Retry-After) while the worker paces at 8/s; tokens live 20 s; files show up
  // 300 ms after their upload (202); upload links live 5 s, so retries after long backoffs meet dead ones.
  yandex.setOptions({ writesPerSecond: 4, writeBurst: 4, retryAfterSeconds: 1, accessTokenTtlSeconds: 20, finalizeDelayMs: 300, uploadLinkTtlMs: 5000 });
  // Targeted: each kind at least once, whatever the chaos draws. The corruption comes first, so no other rule
  // takes the victim's upload.
  yandex.faults.add({ op: 'upload', times: 1, when: (c) => c.path?.endsWith(`/${victim.name}`) ?? false, action: 'corruptStored' });
  yandex.faults.add({ op: 'mkdir', times: 1, action: 'commitThenReset' });
  yandex.faults.add({ op: 'move', times: 1, action: 'commitThenReset' });
  yandex.faults.add({ op: 'patchResource', times: 1, action: { status: 503 } });
  yandex.faults.add({ op: 'uploadLink', times: 1, action: { status: 503 } });
  yandex.faults.add({ op: 'uploadLink', times: 1, action: 'reset' });
  yandex.faults.add({ op: 'getResource', times: 1, action: 'reset' });
  yandex.faults.add({ op: 'upload', times: 2, action: 'commitThenReset' });
  yandex.faults.add({ op: 'upload', times: 1, action: { status: 423 } });
  yandex.faults.add({ op: 'upload', times: 2, action: { status: 500 } });
  yandex.faults.add({ op: 'operation', times: 1, action: { status: 502 } });
  let calls = 0;
  yandex.faults.add({
    op: '*',
    times: 1,
    // As after a token's end at Yandex: from the 30th API call on, every access token so far gets 401.
    when: (c) => c.op !== 'token' && c.op !== 'refresh' && c.op !== 'upload' && ++calls === 30 && (yandex.expireAllAccessTokens(), false),
    action: { status: 500 },
  });
  const chaosActions: YandexFaultAction[] = [{ status: 500 }, { status: 503 }, { status: 423 }, 'reset', 'commitThenReset'];
  yandex.faults.chaos({ seed: SEED, probability: 0.06, actions: chaosActions, ops: ['mkdir', 'getResource', 'patchResource', 'move', 'uploadLink', 'upload', 'operation'] });

  const refreshesBefore = yandex.stats.tokenRefreshes;
  const linksBefore = yandex.stats.requests.uploadLink ?? 0;
  const { transferId } = await stack.consent({ ...newGallery(stack, files, 'Hostile Yandex'), cloud_type: 'yadisk' });
  assert.ok(transferId);
  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  try {
    await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 240_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; progress: ${JSON.stringify(await handle.query('progress'))}`);
    });
  } finally {
    yandex.faults.clear();
    yandex.setOptions({ writesPerSecond: undefined, retryAfterSeconds: undefined, accessTokenTtlSeconds: undefined, finalizeDelayMs: 0, uploadLinkTtlMs: 30 * 60_000 });
  }
  const result = (await handle.query('progress')) as { state: string; filesFailed: number; filesDone: number };
  const failed = (await handle.query('failedFiles')) as Array<{ name: string; code: string }>;
  const faultsOfFailed = yandex.faults.fired.filter((f) => failed.some((x) => f.ctx.path?.endsWith(`/${x.name}`)));
  assert.deepEqual(failed.map((f) => [f.name, f.code]), [[victim.name, 'verification_failed']], `failed files: ${JSON.stringify(failed)}\nfaults: ${JSON.stringify(faultsOfFailed)}`);
  assert.deepEqual([result.state, result.filesFailed, result.filesDone], ['partially_failed', 1, files.length - 1]);
  // The corrupted copy is gone, everything else is exact, and there is one gallery folder (no twin, no staging).
  assertTree(yandexNodes(yandex), 'Hostile Yandex', files, { missing: [victim.id] });
  assert.deepEqual(yandex.tree().filter((n) => n.path.lastIndexOf('/') === 0 && !n.path.startsWith('/Hostile providers')).map((n) => n.path), ['/Hostile Yandex']);
  await assertOneCallback(stack, transferId, { status: 'partially_failed', failed_photos: 1, files_total: files.length, files_uploaded: files.length - 1 });

  const fired = new Map<string, number>();
  for (const { action } of yandex.faults.fired) {
    const kind = typeof action === 'string' ? action : `HTTP ${action.status}`;
    fired.set(kind, (fired.get(kind) ?? 0) + 1);
  }
  for (const kind of ['HTTP 500', 'HTTP 502', 'HTTP 503', 'HTTP 423', 'reset', 'commitThenReset', 'corruptStored']) {
    assert.ok(fired.has(kind), `fault ${kind} fired (fired: ${JSON.stringify([...fired])})`);
  }
  assert.ok(yandex.stats.rateLimited > 0, 'Yandex rate-limited some writes');
  assert.ok(yandex.stats.tokenRefreshes - refreshesBefore >= 2, 'access tokens were refreshed as they expired');
  t.diagnostic(
    `${files.length} files in ${seconds(started)} s; Yandex faults fired: ${[...fired].map(([k, n]) => `${k}×${n}`).join(', ')}; ` +
      `rate-limited answers: ${yandex.stats.rateLimited}; token refreshes: ${yandex.stats.tokenRefreshes - refreshesBefore}; 401s: ${yandex.stats.unauthorized}; ` +
      `upload links: ${(yandex.stats.requests.uploadLink ?? 0) - linksBefore} for ${files.length} photos; bytes uploaded: ${yandex.stats.bytesUploaded}`,
  );
});
