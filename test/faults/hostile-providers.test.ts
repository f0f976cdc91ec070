import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultAction } from '../../src/emulators/google';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { KiB, assertOneCallback, newGallery, resentBytes, rootCount, seconds } from './support';

/**
 * Fault 5 — every provider misbehaving at once, on one transfer: the gallery answers 503 and drops connections
 * mid-file; Drive fails chunks and requests with 5xx, drops connections, loses upload sessions, loses answers
 * after the write happened, rate-limits writes (4/s while the worker paces at 8/s), and access tokens live 20 s
 * (plus one forced expiry mid-upload). Seeded chaos (fixed seed) on top of targeted faults. The transfer must end
 * `succeeded` with the exact tree and failed_photos 0.
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
      RETRY_WINDOW_HOURS: '0',
    },
  });
});
after(async () => stack?.close());

test('hostile gallery and Drive at once (seeded chaos + targeted faults): exact tree, failed_photos 0', async (t) => {
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

  // Drive, targeted: each kind at least once, whatever the chaos draws.
  const google = stack.google;
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
  const failed = await handle.query('failedFiles');
  assert.equal(result.state, 'succeeded', `failed files: ${JSON.stringify(failed)}\nfaults: ${JSON.stringify(google.faults.fired.filter((f) => (failed as Array<{ name: string }>).some((x) => x.name.endsWith(f.ctx.fileName ?? '\u0000'))))}`);
  assert.equal(result.filesFailed, 0);
  assert.equal(result.filesDone, files.length);
  assertDriveTree(google, 'Hostile providers', files);
  assert.equal(rootCount(google, 'Hostile providers'), 1);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0, files_total: files.length, files_uploaded: files.length });

  const fired = new Map<string, number>();
  for (const { action } of google.faults.fired) {
    const kind = typeof action === 'string' ? action : 'status' in action ? `HTTP ${action.status}` : JSON.stringify(action);
    fired.set(kind, (fired.get(kind) ?? 0) + 1);
  }
  for (const kind of ['HTTP 500', 'HTTP 503', 'reset', 'commitThenReset', 'expireSession', 'HTTP 401']) {
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
