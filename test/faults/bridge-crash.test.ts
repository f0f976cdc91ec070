import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createBridge } from '../../src/bridge/bridge';
import { createLogger } from '../../src/shared/logger';
import { workflowIdFor } from '../../src/shared/types';
import { startTransfer, StartOutcome } from '../../src/temporal/start';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { KiB, assertOneCallback, newGallery, queueDepth, resentBytes, rootCount, waitFor, workflowExists, workflowRuns } from './support';

/**
 * Fault 4 — the bridge dies after starting the workflow and before acking the job. The bridge runs as its own
 * process (test/faults/fixtures/bridge-that-dies.ts) whose startWorkflow really starts `transfer-<id>` and then
 * SIGKILLs the process. RabbitMQ puts the unacked job back; a new bridge consumes the redelivery, finds the
 * workflow (`already-exists`), starts nothing and acks. One run, every file uploaded once.
 */

const CHUNK = 256 * KiB;
let stack: Stack;

before(async () => {
  stack = await startStack({ env: { MULTIPART_MAX_BYTES: String(CHUNK), UPLOAD_CHUNK_BYTES: String(CHUNK) } });
});
after(async () => stack?.close());

test('a bridge SIGKILLed between start and ack: the redelivered job starts nothing, one run, files uploaded once', async (t) => {
  const files: SpecFile[] = [
    ...Array.from({ length: 8 }, (_, i): SpecFile => ({ id: 7400001 + i, name: `Bridge/b_${i}.jpg`, size: 3 * KiB + i * 4099 })),
    { id: 7400100, name: 'Bridge/Video/b_clip.mp4', size: 4 * CHUNK + 99 },
  ];
  const body = newGallery(stack, files, 'Bridge crash');
  const { AMQP_URL, AMQP_QUEUE } = stack.config;

  await stack.bridge.stop();
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);
  assert.equal(await queueDepth(AMQP_URL, AMQP_QUEUE), 1, 'the confirmed job waits in the queue');

  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'bridge-that-dies.ts')], {
    env: { ...process.env, ...stack.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  assert.equal(signal, 'SIGKILL', `the crashing bridge ended with code ${code} signal ${signal}; output: ${out}`);
  assert.deepEqual(JSON.parse(out.trim()), { started: transferId, outcome: 'started' }, 'the dying bridge started the workflow');
  assert.ok(await workflowExists(stack.client, transferId), 'the workflow exists although the job was never acked');
  await waitFor('the unacked job back in the queue', async () => (await queueDepth(AMQP_URL, AMQP_QUEUE)) === 1, 15_000);

  // A new bridge (same code as production) consumes the redelivery.
  const outcomes: StartOutcome[] = [];
  const lines: string[] = [];
  const bridge = createBridge({
    config: stack.config,
    logger: createLogger('bridge', 'info', { write: (line: string) => void lines.push(line) }),
    startWorkflow: async (input) => {
      const outcome = await startTransfer(stack.client, stack.config.TEMPORAL_TASK_QUEUE, input);
      outcomes.push(outcome);
      return outcome;
    },
  });
  await bridge.start();
  try {
    await waitFor('the redelivered job consumed and acked', async () => outcomes.length >= 1 && (await queueDepth(AMQP_URL, AMQP_QUEUE)) === 0, 15_000);
  } finally {
    await bridge.stop();
  }
  assert.deepEqual(outcomes, ['already-exists'], 'the redelivery started nothing');
  const acked = lines.map((l) => JSON.parse(l) as { msg: string; outcome?: string; redelivered?: boolean }).find((l) => l.msg === 'transfer workflow ready; acking');
  assert.deepEqual({ outcome: acked?.outcome, redelivered: acked?.redelivered }, { outcome: 'already-exists', redelivered: true });
  assert.equal(await queueDepth(AMQP_URL, `${AMQP_QUEUE}.dead`), 0, 'nothing dead-lettered');

  const result = (await stack.result(transferId)) as { state: string; filesDone: number };
  assert.equal(result.state, 'succeeded');
  assert.equal(result.filesDone, files.length);
  assertDriveTree(stack.google, 'Bridge crash', files);
  assert.equal(rootCount(stack.google, 'Bridge crash'), 1);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0, files_total: files.length, files_uploaded: files.length });
  await waitFor('the run in the visibility store', async () => (await workflowRuns(stack.client, `WorkflowId = '${workflowIdFor(transferId)}'`)).length >= 1);
  const runs = await workflowRuns(stack.client, `WorkflowId = '${workflowIdFor(transferId)}'`);
  assert.equal(runs.length, 1, 'exactly one workflow run');

  const uploads = stack.google.stats.uploadRecords().filter((r) => files.some((f) => f.name.endsWith(`/${r.fileName}`)));
  const resent = resentBytes(stack.google, files);
  assert.equal(uploads.length, files.length, `one upload per file: ${JSON.stringify(uploads.map((u) => u.fileName))}`);
  assert.equal(resent.total, 0, 'no byte sent twice');
  t.diagnostic(`crashing bridge: workflow started, killed before ack; redelivery outcome: ${outcomes.join(', ')}; runs: ${runs.length}; uploads: ${uploads.length} for ${files.length} files; bytes re-sent: ${resent.total}`);
});
