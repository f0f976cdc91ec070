import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import amqp, { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import pino from 'pino';
import { assertTopology } from '../../src/amqp/topology';
import { Bridge, createBridge } from '../../src/bridge/bridge';
import { Config, parseConfig } from '../../src/config';
import { Sealer, randomId } from '../../src/shared/crypto';
import type { TransferJob } from '../../src/shared/job';
import type { TransferInput } from '../../src/shared/types';
import type { StartOutcome } from '../../src/temporal/start';
import { startProxy } from '../helpers/tcp-proxy';

/**
 * The bridge against the real RabbitMQ, each test on a queue of its own. The workflow start is the one thing
 * replaced: a real function that records its calls and answers as the test says (or throws, as Temporal would
 * when it is down).
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const FAST = { initialMs: 5, maxMs: 40 };
const sealer = new Sealer('a-test-secret-key-of-at-least-32-chars');

function testConfig(queue: string, url = AMQP_URL): Config {
  return parseConfig({
    GOOGLE_CLIENT_ID: 'id',
    GOOGLE_CLIENT_SECRET: 'secret',
    COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
    CALLBACK_SECRET: 'callback-secret-16+',
    SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
    AMQP_URL: url,
    AMQP_QUEUE: queue,
    AMQP_PREFETCH: '4',
    GALLERY_API_URL: 'https://app.litegallery.io',
  });
}

function job(overrides: Partial<TransferJob> = {}): TransferJob {
  return {
    v: 1,
    transfer_id: randomId(),
    created_at: '2026-01-02T03:04:05.000Z',
    cloud_type: 'google_drive',
    archive_type: 'webs',
    archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
    gallery_id: '858329',
    gallery_name: 'Свадьба',
    sealed_refresh_token: sealer.seal('refresh-token', '1//refresh'),
    ...overrides,
  };
}

/**
 * A startWorkflow that records every call. `answer` decides each call's outcome (by its 1-based number);
 * `calls(n)` resolves once n calls have been made, `called(id)` once a call for that transfer id has.
 */
function recorder(answer: (call: number, input: TransferInput) => StartOutcome | Error) {
  const inputs: TransferInput[] = [];
  const waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  const until = (done: () => boolean): Promise<void> =>
    done() ? Promise.resolve() : new Promise((resolve) => waiters.push({ done, resolve }));
  const startWorkflow = async (input: TransferInput): Promise<StartOutcome> => {
    inputs.push(input);
    for (const w of waiters.filter((w) => w.done())) w.resolve();
    const outcome = answer(inputs.length, input);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return {
    startWorkflow,
    inputs,
    calls: (n: number) => until(() => inputs.length >= n),
    called: (transferId: string) => until(() => inputs.some((i) => i.transferId === transferId)),
  };
}

/** Resolves with the next `count` messages on `queue` (acked), consumed through the test's own channel. */
async function take(channel: ConfirmChannel, queue: string, count: number): Promise<ConsumeMessage[]> {
  const messages: ConsumeMessage[] = [];
  return new Promise((resolve, reject) => {
    channel
      .consume(queue, (message) => {
        if (!message || messages.length === count) return; // extra deliveries are not acked: they go back
        channel.ack(message);
        messages.push(message);
        if (messages.length === count) channel.cancel(message.fields.consumerTag).then(() => resolve(messages), reject);
      })
      .catch(reject);
  });
}

describe('bridge', { timeout: 20_000 }, () => {
  let connection: ChannelModel;
  let channel: ConfirmChannel;
  let queue: string;
  let bridge: Bridge | null = null;

  before(async () => {
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createConfirmChannel();
  });

  after(async () => {
    await connection.close();
  });

  /** A fresh queue per test; deleted afterwards. */
  async function freshQueue(): Promise<string> {
    queue = `test.bridge.${randomUUID()}`;
    await assertTopology(channel, queue);
    return queue;
  }

  afterEach(async () => {
    await bridge?.stop();
    bridge = null;
    await channel.deleteQueue(queue);
    await channel.deleteQueue(`${queue}.dead`);
    await channel.deleteExchange(`${queue}.dlx`);
  });

  async function send(body: Buffer | TransferJob): Promise<void> {
    channel.sendToQueue(queue, Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)), { persistent: true });
    await channel.waitForConfirms();
  }

  async function readyCount(name: string): Promise<number> {
    return (await channel.checkQueue(name)).messageCount;
  }

  test('a valid job starts its workflow once with the mapped input, then is acked', async () => {
    await freshQueue();
    const fake = recorder(() => 'started');
    bridge = createBridge({ config: testConfig(queue), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
    await bridge.start();
    assert.equal(bridge.isConnected(), true);
    const sent = job();
    await send(sent);
    await fake.calls(1);
    await bridge.stop();

    assert.deepEqual(fake.inputs, [
      {
        transferId: sent.transfer_id,
        galleryId: '858329',
        galleryName: 'Свадьба',
        archiveUrl: sent.archive_url,
        listingUrl: 'https://app.litegallery.io/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?json=true',
        archiveType: 'webs',
        cloudType: 'google_drive',
        sealedRefreshToken: sent.sealed_refresh_token,
        requestedAt: '2026-01-02T03:04:05.000Z',
      },
    ]);
    assert.equal(await readyCount(queue), 0, 'acked, so not back in the queue after the bridge disconnected');
    assert.equal(bridge.isConnected(), false);
  });

  test('the same job delivered twice starts one workflow and acks both copies', async () => {
    await freshQueue();
    const started = new Set<string>();
    const fake = recorder((_, input) => {
      if (started.has(input.transferId)) return 'already-exists';
      started.add(input.transferId);
      return 'started';
    });
    bridge = createBridge({ config: testConfig(queue), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
    await bridge.start();
    const sent = job();
    await send(sent);
    await send(sent);
    await fake.calls(2);
    await bridge.stop();

    assert.deepEqual(fake.inputs.map((i) => i.transferId), [sent.transfer_id, sent.transfer_id]);
    assert.equal(started.size, 1);
    assert.equal(await readyCount(queue), 0);
  });

  test('invalid messages go to the dead-letter queue without starting anything', async () => {
    await freshQueue();
    const fake = recorder(() => 'started');
    bridge = createBridge({ config: testConfig(queue), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
    await bridge.start();
    const bad = [
      Buffer.from('not json'),
      Buffer.from(JSON.stringify({ ...job(), v: 2 })),
      Buffer.from(JSON.stringify({ ...job(), transfer_id: 'short' })),
      Buffer.from(JSON.stringify(job({ gallery_id: '42' }))), // does not match archive_url
    ];
    for (const body of bad) await send(body);

    const dead = await take(channel, `${queue}.dead`, bad.length);
    assert.deepEqual(dead.map((m) => m.content.toString()).sort(), bad.map((b) => b.toString()).sort());
    assert.equal(fake.inputs.length, 0);
  });

  test('a failing start holds the message and retries it in place until it succeeds, then acks', async () => {
    await freshQueue();
    const fake = recorder((call) => (call <= 2 ? new Error('14 UNAVAILABLE: Temporal unavailable') : 'started'));
    bridge = createBridge({ config: testConfig(queue), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
    await bridge.start();
    const sent = job();
    await send(sent);
    await fake.calls(3);
    await bridge.stop();

    assert.deepEqual(fake.inputs.map((i) => i.transferId), [sent.transfer_id, sent.transfer_id, sent.transfer_id]);
    assert.equal(await readyCount(queue), 0);
    assert.equal(await readyCount(`${queue}.dead`), 0);
  });

  test('while the start keeps failing the message is never acked: stopping returns it to the queue', async () => {
    await freshQueue();
    const fake = recorder(() => new Error('Temporal unavailable'));
    bridge = createBridge({ config: testConfig(queue), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
    await bridge.start();
    const sent = job();
    await send(sent);
    await fake.calls(3); // retried, not requeued: the same delivery
    await bridge.stop(); // must not wait for the retries to end

    const [back] = await take(channel, queue, 1);
    assert.equal(JSON.parse(back!.content.toString()).transfer_id, sent.transfer_id);
    assert.equal(back!.fields.redelivered, true);
    assert.equal(await readyCount(`${queue}.dead`), 0);
  });

  test('reconnects by itself after the connection to RabbitMQ drops', async () => {
    await freshQueue();
    const proxy = await startProxy(new URL(AMQP_URL));
    try {
      const fake = recorder(() => 'started');
      bridge = createBridge({ config: testConfig(queue, proxy.url), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
      await bridge.start();
      const first = job();
      await send(first);
      await fake.called(first.transfer_id);

      proxy.cut(); // what a broker restart looks like from here
      const second = job();
      await send(second);
      // The first job may come again too, if its ack was lost with the connection; that is the dedupe contract.
      await fake.called(second.transfer_id);
      assert.equal(bridge.isConnected(), true);
    } finally {
      await bridge?.stop();
      await proxy.close();
    }
  });

  test('keeps trying while RabbitMQ is unreachable, reconnects once it is back, then consumes a job', async () => {
    await freshQueue();
    const proxy = await startProxy(new URL(AMQP_URL));
    proxy.down(); // RabbitMQ itself keeps running for everyone else; only the bridge's path to it is closed
    try {
      const fake = recorder(() => 'started');
      bridge = createBridge({ config: testConfig(queue, proxy.url), logger, startWorkflow: fake.startWorkflow, backoff: FAST });
      const consuming = bridge.start();
      await within(proxy.refused(3), 5_000, 'the bridge to try RabbitMQ three times while it is unreachable');
      assert.equal(bridge.isConnected(), false);

      proxy.up();
      await within(consuming, 5_000, 'the bridge to consume once RabbitMQ is reachable again');
      assert.equal(bridge.isConnected(), true, 'connected and consuming again');
      const sent = job();
      await send(sent);
      await within(fake.called(sent.transfer_id), 5_000, 'the job sent after the reconnect to start its workflow');
      await bridge.stop();
      assert.deepEqual(fake.inputs.map((i) => i.transferId), [sent.transfer_id]);
      assert.equal(await readyCount(queue), 0, 'acked, so not back in the queue');
    } finally {
      await bridge?.stop();
      await proxy.close();
    }
  });

  test('while RabbitMQ is unreachable, stop() ends the retries and the pending start()', async () => {
    await freshQueue();
    const proxy = await startProxy(new URL(AMQP_URL));
    proxy.down();
    try {
      bridge = createBridge({ config: testConfig(queue, proxy.url), logger, startWorkflow: recorder(() => 'started').startWorkflow, backoff: FAST });
      const started = bridge.start();
      await within(proxy.refused(1), 5_000, 'the bridge to try RabbitMQ');
      assert.equal(bridge.isConnected(), false);
      await within(bridge.stop(), 5_000, 'stop() while reconnecting');
      await within(started, 5_000, 'start() to return once stopped');
      assert.equal(bridge.isConnected(), false);
    } finally {
      await proxy.close();
    }
  });
});


/** Fails with what it waited for when `promise` does not settle within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
