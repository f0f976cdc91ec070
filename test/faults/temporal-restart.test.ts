import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DevServer, freePort, startDevServer } from '../../src/devtools/temporal-server';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { KiB, assertOneCallback, deferred, newGallery, resentBytes, rootCount, seconds, waitFor, workflowRuns } from './support';

/**
 * Fault 3 — the Temporal server SIGKILLed mid-transfer and started again on the same port and SQLite database.
 * This test runs its own dev server (not the suite's shared one). The API, the bridge, the test's client and the
 * in-process worker keep their connections and reconnect; uploads in flight go on or are retried; the transfer
 * completes with the exact tree, one run, one callback.
 */

const CHUNK = 256 * KiB;
const dbFile = join('.data', `faults-temporal-restart-${process.pid}.db`);
let port: number;
let server: DevServer;
let stack: Stack;

before(async () => {
  port = await freePort();
  server = await startDevServer({ dbFile, port });
  stack = await startStack({
    env: { TEMPORAL_ADDRESS: server.address, MULTIPART_MAX_BYTES: String(CHUNK), UPLOAD_CHUNK_BYTES: String(CHUNK), FILES_PER_ACTIVITY: '5', TRANSFER_CONCURRENCY: '4' },
  });
});
after(async () => {
  await stack?.close();
  await server?.stop();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
});

test('Temporal killed (SIGKILL) mid-upload and restarted on the same database: the transfer completes exactly once', async (t) => {
  const files: SpecFile[] = [
    ...Array.from({ length: 3 }, (_, i): SpecFile => ({ id: 7300101 + i, name: `Video/t_clip_${i}.mp4`, size: (6 + i) * CHUNK + 321 })),
    ...Array.from({ length: 40 }, (_, i): SpecFile => ({ id: 7300001 + i, name: `${['Day 1', 'Day 2'][i % 2]}/t_${i}.jpg`, size: 5 * KiB + i * 3001 })),
  ];
  // Everything comes slowly: the large files (listed first) are mid-upload when the server dies and still uploading
  // while it is away, and most small files are still to be scheduled after the restart.
  for (const f of files) stack.gallery.faultFile(f.id, [{ slowBytesPerSecond: f.size > CHUNK ? 384 * KiB : 64 * KiB }]);

  const killed = deferred<number>();
  let killedAt = 0;
  stack.google.faults.add({
    op: 'chunk',
    times: 1,
    when: (ctx) => {
      if (killedAt || !ctx.range || ctx.range.start < 2 * CHUNK) return false;
      killedAt = Date.now();
      server.process.kill('SIGKILL');
      killed.resolve(stack.google.tree().filter((n) => n.path.startsWith('Temporal restart/') && n.size !== undefined).length);
      return false;
    },
    action: { status: 500 },
  });

  const { transferId } = await stack.consent(newGallery(stack, files, 'Temporal restart'));
  assert.ok(transferId);
  const exited = server.process.exitCode === null ? once(server.process, 'exit') : Promise.resolve();
  const filesAtKill = await killed.promise;
  await exited;
  // While it is down: the worker's uploads in flight go on (they need no server until they report).
  const downFor = Date.now();
  await waitFor('an upload to finish while Temporal is down', () => stack.google.tree().filter((n) => n.path.startsWith('Temporal restart/') && n.size !== undefined).length > filesAtKill, 30_000);
  const filesWhileDown = stack.google.tree().filter((n) => n.path.startsWith('Temporal restart/') && n.size !== undefined).length - filesAtKill;
  server = await startDevServer({ dbFile, port });
  const outage = seconds(killedAt);
  t.diagnostic(`server killed at ${filesAtKill} files in Drive; down ${outage} s (waited ${seconds(downFor)} s for uploads to go on); ${filesWhileDown} file(s) landed while it was down`);

  const result = (await stack.result(transferId)) as { state: string; filesDone: number; filesFailed: number };
  assert.equal(result.state, 'succeeded');
  assert.equal(result.filesDone, files.length);
  assert.equal(result.filesFailed, 0);
  assertDriveTree(stack.google, 'Temporal restart', files);
  assert.equal(rootCount(stack.google, 'Temporal restart'), 1);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0, files_total: files.length, files_uploaded: files.length });
  await waitFor('the run in the visibility store', async () => (await workflowRuns(stack.client, `WorkflowId = '${workflowIdFor(transferId)}'`)).length >= 1);
  assert.equal((await workflowRuns(stack.client, `WorkflowId = '${workflowIdFor(transferId)}'`)).length, 1, 'one run');
  const resent = resentBytes(stack.google, files);
  t.diagnostic(`transfer done ${seconds(killedAt)} s after the kill; bytes re-sent to Drive: ${resent.total}`);
});
