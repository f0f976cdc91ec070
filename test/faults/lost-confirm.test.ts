import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WITHDRAWN_WORKFLOW_TYPE } from '../../src/temporal/withdraw';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { startProxy, TcpProxy } from '../helpers/tcp-proxy';
import { KiB, assertOneCallback, consentFlow, newGallery, queueDepth, rootCount, waitFor, workflowTypeOf } from './support';

/**
 * Fault 2b — the one outcome RabbitMQ leaves open: the job reached the queue but its confirm was lost with the
 * connection. The API talks to RabbitMQ through a proxy that, once muted, still delivers what the API sends and
 * drops every answer, so the job is queued for certain and the confirm never comes. The API must not send that
 * user to the fail link if the transfer will run, nor to the success link if it will not:
 *   - bridge stopped: the API withdraws the transfer in Temporal → fail link; the bridge, started later,
 *     consumes the queued copy and starts nothing;
 *   - bridge running: it has already started the transfer from the queued copy → success link, one transfer.
 * (The RabbitMQ restart fault meets this case only by chance; here it is made to happen.)
 */

const PUBLISH_TIMEOUT_MS = 1500;
let stack: Stack;
let proxy: TcpProxy;

before(async () => {
  proxy = await startProxy(new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'));
  stack = await startStack({ apiEnv: { AMQP_URL: proxy.url, AMQP_PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS) } });
});
after(async () => {
  await stack?.close();
  await proxy?.close();
});

function gallery(name: string, id: number): { body: Record<string, string>; files: SpecFile[] } {
  const files: SpecFile[] = [{ id, name: `${name.replace(/ /g, '_')}.jpg`, size: 5 * KiB + (id % 100) }];
  return { body: newGallery(stack, files, name), files };
}

/** One normal consent opens the API's connection through the proxy; then its answers are muted. */
async function muteAfterOneConfirmedJob(name: string, id: number) {
  proxy.cut(); // start from a fresh, unmuted connection
  const control = gallery(name, id);
  const result = await consentFlow(stack, control.body);
  assert.equal(result.outcome, 'success', `${name}: confirmed normally`);
  proxy.muteReplies();
  return { ...control, result };
}

async function assertTransferred(transferId: string, name: string, files: SpecFile[]): Promise<void> {
  const result = (await stack.result(transferId)) as { state: string };
  assert.equal(result.state, 'succeeded', name);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0, files_uploaded: files.length });
  assertDriveTree(stack.google, name, files);
  assert.equal(rootCount(stack.google, name), 1, `${name}: one folder`);
}

test('confirm lost, bridge stopped: fail link, the transfer is withdrawn and its queued copy starts nothing', async (t) => {
  const { AMQP_URL, AMQP_QUEUE } = stack.config;
  await stack.bridge.stop();
  const control = await muteAfterOneConfirmedJob('Lost confirm control', 7600001);

  const lost = gallery('Lost confirm withdrawn', 7600002);
  const started = Date.now();
  const result = await consentFlow(stack, lost.body);
  t.diagnostic(`fail redirect after ${Date.now() - started} ms (AMQP_PUBLISH_TIMEOUT_MS ${PUBLISH_TIMEOUT_MS})`);
  assert.equal(result.outcome, 'fail');
  assert.equal(result.reason, 'queue_unavailable');
  assert.equal(await queueDepth(AMQP_URL, AMQP_QUEUE), 2, 'the unconfirmed job did reach the queue, next to the control job');
  assert.equal(await workflowTypeOf(stack.client, result.transferId), WITHDRAWN_WORKFLOW_TYPE);

  await stack.bridge.start();
  await waitFor('the bridge to drain the queue', async () => (await queueDepth(AMQP_URL, AMQP_QUEUE)) === 0, 30_000);
  await assertTransferred(control.result.transferId, 'Lost confirm control', control.files);
  assert.equal(await workflowTypeOf(stack.client, result.transferId), WITHDRAWN_WORKFLOW_TYPE, 'still no transfer for the withdrawn job');
  assert.equal(rootCount(stack.google, 'Lost confirm withdrawn'), 0, 'nothing in Drive for the fail redirect');
  assert.equal(await queueDepth(AMQP_URL, `${AMQP_QUEUE}.dead`), 0, 'the copy was acked as a duplicate, not dead-lettered');
});

test('confirm lost, bridge running: the transfer already started from the queued copy, so the success link', async () => {
  const { AMQP_URL, AMQP_QUEUE } = stack.config;
  const control = await muteAfterOneConfirmedJob('Lost confirm control 2', 7600003);

  const lost = gallery('Lost confirm started', 7600004);
  const result = await consentFlow(stack, lost.body);
  assert.equal(result.outcome, 'success', `redirected to ${result.location}`);
  await assertTransferred(result.transferId, 'Lost confirm started', lost.files);
  await assertTransferred(control.result.transferId, 'Lost confirm control 2', control.files);
  assert.equal(await queueDepth(AMQP_URL, AMQP_QUEUE), 0);
});
