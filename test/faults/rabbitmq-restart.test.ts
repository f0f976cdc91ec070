import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { workflowIdFor } from '../../src/shared/types';
import { WITHDRAWN_WORKFLOW_TYPE } from '../../src/temporal/withdraw';
import { assertDriveTree, SpecFile } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import {
  KiB,
  ConsentResult,
  assertOneCallback,
  consentFlow,
  newGallery,
  queueDepth,
  rootCount,
  runsOnTaskQueue,
  seconds,
  waitFor,
  workflowTypeOf,
} from './support';

/**
 * Fault 2 — RabbitMQ (the machine's broker at 127.0.0.1:5672) stopped and started with `rabbitmqctl stop_app` /
 * `start_app` while 50 users go through the consent flow, each to a tiny gallery of their own:
 *   A. 5 users with the broker up, then users keep coming (4 at a time) while `stop_app` runs;
 *   B. 10 users while the broker is stopped;
 *   C. the broker started again (`start_app`, `await_startup`, port 5672 accepting); the remaining users.
 * The API's publisher, the bridge and this test all reconnect by themselves. Afterwards, once the bridge has
 * drained the queue: every success redirect has exactly one workflow (so its job really was confirmed into the
 * queue), no fail redirect has one, every fail redirect says `queue_unavailable`, and every transfer that was
 * started lands exactly in Drive with one `succeeded` callback.
 *
 * The broker is always started again (finally / after; and by scripts/test-faults.ts as a last resort).
 * Other clients of this broker lose their connections for the few seconds it is down.
 */

const exec = promisify(execFile);
const USERS = 50;
let stack: Stack;
let brokerStopped = false;

function brokerAccepts(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 5672 });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function stopBroker(): Promise<void> {
  brokerStopped = true;
  await exec('rabbitmqctl', ['stop_app']);
}

async function startBroker(): Promise<void> {
  await exec('rabbitmqctl', ['start_app']);
  await exec('rabbitmqctl', ['await_startup']);
  await waitFor('RabbitMQ to accept connections on 5672', brokerAccepts, 60_000, 200);
  brokerStopped = false;
}

before(async () => {
  stack = await startStack({ env: { FILES_PER_ACTIVITY: '1' } });
});
after(async () => {
  if (brokerStopped) await startBroker();
  await stack?.close();
});

test(`RabbitMQ stop_app/start_app while ${USERS} users consent: success ⇔ exactly one workflow; failures start nothing`, async (t) => {
  const users = Array.from({ length: USERS }, (_, i) => {
    const files: SpecFile[] = [{ id: 7200001 + i, name: `r_${i}.jpg`, size: 1 * KiB + i }];
    return { i, files, body: newGallery(stack, files, `RMQ user ${i}`) };
  });
  let next = 0;
  const results: Array<ConsentResult & { user: number; phase: string }> = [];
  const run = async (phase: string) => {
    const user = users[next++]!;
    const result = await consentFlow(stack, { archive_url: user.body.archive_url, gallery_name: user.body.gallery_name });
    results.push({ ...result, user: user.i, phase });
  };
  /**
   * Users `concurrency` at a time, at most `max`, until `until` settles if given. `thinkMs` spreads the arrivals
   * (load shape, not synchronisation): users keep arriving all through stop_app (0.4–1 s here), so some reach the
   * API as the broker closes its connections.
   */
  const wave = async (phase: string, max: number, concurrency: number, until?: Promise<unknown>, thinkMs = 0) => {
    let done = false;
    void until?.finally(() => (done = true));
    const stopAt = Math.min(USERS, next + max);
    const lanes = Array.from({ length: concurrency }, async () => {
      while (next < stopAt && !(until && done)) {
        await run(phase);
        if (thinkMs) await new Promise((r) => setTimeout(r, thinkMs));
      }
    });
    await Promise.all(lanes);
  };

  const started = Date.now();
  try {
    await wave('A: broker up', 5, 5);
    const stopping = stopBroker();
    await wave('A: during stop_app', 25, 5, stopping, 200);
    await stopping;
    const stoppedAt = Date.now();
    await wave('B: broker stopped', 10, 5);
    await startBroker();
    t.diagnostic(`broker down (stop_app returned → port accepting again) for ${seconds(stoppedAt)} s`);
  } finally {
    if (brokerStopped) await startBroker();
  }
  await wave('C: broker back', USERS, 5);
  assert.equal(results.length, USERS);

  const byPhase = new Map<string, { success: number; fail: number }>();
  for (const r of results) {
    const counts = byPhase.get(r.phase) ?? { success: 0, fail: 0 };
    counts[r.outcome] += 1;
    byPhase.set(r.phase, counts);
  }
  t.diagnostic(`outcomes per phase: ${[...byPhase].map(([phase, c]) => `${phase}: ${c.success} success / ${c.fail} fail`).join('; ')}`);
  const phase = (p: string) => results.filter((r) => r.phase === p);
  assert.ok(phase('A: broker up').every((r) => r.outcome === 'success'), 'broker up: every user succeeds');
  assert.ok(phase('B: broker stopped').length === 10 && phase('B: broker stopped').every((r) => r.outcome === 'fail'), 'broker stopped: every user fails');
  assert.ok(phase('C: broker back').length >= 10 && phase('C: broker back').every((r) => r.outcome === 'success'), 'broker back: the API published again (its publisher reconnected)');
  for (const r of results.filter((x) => x.outcome === 'fail')) assert.equal(r.reason, 'queue_unavailable', `fail reason of user ${r.user}`);

  const successes = results.filter((r) => r.outcome === 'success');
  const failures = results.filter((r) => r.outcome === 'fail');
  // The bridge reconnects by itself (backoff up to 30 s) and drains the queue.
  await waitFor(
    'the bridge to drain the queue and start every confirmed transfer',
    async () => (await queueDepth(stack.config.AMQP_URL, stack.config.AMQP_QUEUE)) === 0 && (await runsOnTaskQueue(stack)).length >= successes.length,
    90_000,
    250,
  );
  assert.equal(await queueDepth(stack.config.AMQP_URL, `${stack.config.AMQP_QUEUE}.dead`), 0, 'nothing dead-lettered');
  const runs = await runsOnTaskQueue(stack);
  assert.deepEqual([...runs].sort(), successes.map((r) => workflowIdFor(r.transferId)).sort(), 'the workflows are exactly one per success redirect');
  let withdrawn = 0;
  for (const r of failures) {
    const type = await workflowTypeOf(stack.client, r.transferId);
    assert.ok(type === null || type === WITHDRAWN_WORKFLOW_TYPE, `user ${r.user} was sent to the fail link: no transfer workflow (found ${type})`);
    if (type) withdrawn += 1;
  }

  for (const r of successes) {
    const result = (await stack.result(r.transferId)) as { state: string };
    assert.equal(result.state, 'succeeded', `user ${r.user}`);
    await assertOneCallback(stack, r.transferId, { status: 'succeeded', failed_photos: 0, files_uploaded: 1 });
    assertDriveTree(stack.google, `RMQ user ${r.user}`, users[r.user]!.files);
    assert.equal(rootCount(stack.google, `RMQ user ${r.user}`), 1);
  }
  for (const r of failures) assert.equal(rootCount(stack.google, `RMQ user ${r.user}`), 0, `user ${r.user}: nothing in Drive`);
  t.diagnostic(`${successes.length} success redirects, ${runs.length} workflows, ${failures.length} fail redirects (queue_unavailable), 0 transfer workflows for them (${withdrawn} withdrawn after an unconfirmed publish); ${seconds(started)} s`);
});
