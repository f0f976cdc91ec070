import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import amqp, { Channel, ChannelModel } from 'amqplib';
import pino from 'pino';
import { PublishError } from '../../src/amqp/errors';
import { JobPublisher } from '../../src/amqp/publisher';
import { assertTopology } from '../../src/amqp/topology';
import { randomId } from '../../src/shared/crypto';
import { TransferJob, transferJobSchema } from '../../src/shared/job';
import { startProxy } from '../helpers/tcp-proxy';

/** JobPublisher against the real RabbitMQ, directly and through a TCP proxy the test can cut or freeze. */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const logger = pino({ level: 'silent' });

function job(): TransferJob {
  return {
    v: 1,
    transfer_id: randomId(),
    created_at: new Date().toISOString(),
    cloud_type: 'google_drive',
    archive_type: 'originals',
    archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3',
    gallery_id: '858329',
    gallery_name: 'Gallery',
    sealed_refresh_token: 'v1.sealed',
  };
}

describe('JobPublisher', { timeout: 20_000 }, () => {
  const queue = `test.publisher.${randomUUID()}`;
  let connection: ChannelModel;
  let channel: Channel;

  before(async () => {
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
  });

  after(async () => {
    await channel.deleteQueue(queue);
    await channel.deleteQueue(`${queue}.dead`);
    await channel.deleteExchange(`${queue}.dlx`);
    await connection.close();
  });

  async function drain(): Promise<TransferJob[]> {
    const jobs: TransferJob[] = [];
    for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true })) {
      jobs.push(transferJobSchema.parse(JSON.parse(m.content.toString())));
    }
    return jobs;
  }

  test('resolves once RabbitMQ has confirmed a persistent JSON message, declaring the topology first', async () => {
    const publisher = new JobPublisher({ url: AMQP_URL, queue, timeoutMs: 2000, logger });
    try {
      const sent = job();
      await publisher.publish(sent);
      const message = await channel.get(queue, { noAck: true });
      assert.ok(message);
      assert.equal(message.properties.deliveryMode, 2);
      assert.equal(message.properties.contentType, 'application/json');
      assert.equal(message.properties.messageId, sent.transfer_id);
      assert.deepEqual(JSON.parse(message.content.toString()), sent);
      const declared = await channel.checkQueue(`${queue}.dead`);
      assert.equal(declared.queue, `${queue}.dead`);
      assert.equal(await publisher.ready(), true);
    } finally {
      await publisher.close();
    }
  });

  test('rejects quickly with a typed error when the broker cannot be reached', async () => {
    const publisher = new JobPublisher({ url: 'amqp://guest:guest@127.0.0.1:1', queue, timeoutMs: 5000, logger });
    try {
      const started = Date.now();
      await assert.rejects(publisher.publish(job()), (err: unknown) => {
        assert.ok(err instanceof PublishError);
        assert.equal(err.code, 'broker_unreachable');
        assert.equal(err.status, 503);
        return true;
      });
      assert.ok(Date.now() - started < 1000, 'failed fast, not at the timeout');
      assert.equal(await publisher.ready(), false);
    } finally {
      await publisher.close();
    }
  });

  test('a message routed to no queue is a failure, not a silent drop', async () => {
    const publisher = new JobPublisher({ url: AMQP_URL, queue, timeoutMs: 2000, logger });
    try {
      await publisher.publish(job());
      await drain();
      await channel.deleteQueue(queue); // gone behind the publisher's back
      await assert.rejects(publisher.publish(job()), { name: 'PublishError', code: 'unroutable' });
    } finally {
      await publisher.close();
      await assertTopology(channel, queue);
    }
  });

  test('reconnects on the next publish after the connection dropped', async () => {
    const proxy = await startProxy(new URL(AMQP_URL));
    const publisher = new JobPublisher({ url: proxy.url, queue, timeoutMs: 2000, logger });
    try {
      const first = job();
      const second = job();
      await publisher.publish(first);
      proxy.cut();
      await publisher.publish(second);
      assert.deepEqual((await drain()).map((j) => j.transfer_id).sort(), [first.transfer_id, second.transfer_id].sort());
    } finally {
      await publisher.close();
      await proxy.close();
    }
  });

  test('a copy lost with a half-open connection is "unconfirmed", not "not queued"; the next publish reconnects', async () => {
    const proxy = await startProxy(new URL(AMQP_URL));
    const publisher = new JobPublisher({ url: proxy.url, queue, timeoutMs: 300, logger });
    try {
      assert.equal(await publisher.ready(), true);
      proxy.freeze(); // the broker is gone but no FIN arrived
      await assert.rejects(publisher.publish(job()), { name: 'PublishError', code: 'unconfirmed' });
      const next = job();
      await publisher.publish(next);
      assert.ok((await drain()).some((j) => j.transfer_id === next.transfer_id));
    } finally {
      await publisher.close();
      await proxy.close();
    }
  });

  test('after losing the connection between send and confirm it sends again until one copy is confirmed', async () => {
    const proxy = await startProxy(new URL(AMQP_URL));
    const publisher = new JobPublisher({ url: proxy.url, queue, timeoutMs: 10_000, logger });
    try {
      assert.equal(await publisher.ready(), true);
      proxy.freeze();
      const sent = job();
      const publishing = publisher.publish(sent);
      await proxy.swallowed; // the first copy went out into a dead connection...
      proxy.cut(); // ...which now closes before any confirm
      await publishing;
      assert.deepEqual((await drain()).map((j) => j.transfer_id), [sent.transfer_id]);
    } finally {
      await publisher.close();
      await proxy.close();
    }
  });

  test('a job sent but never confirmed before the deadline is "unconfirmed" even when the broker stays down', async () => {
    const proxy = await startProxy(new URL(AMQP_URL));
    const publisher = new JobPublisher({ url: proxy.url, queue, timeoutMs: 1000, logger });
    try {
      assert.equal(await publisher.ready(), true);
      proxy.freeze();
      const publishing = publisher.publish(job());
      await proxy.swallowed;
      proxy.down(); // reconnects are refused until the deadline
      await assert.rejects(publishing, { name: 'PublishError', code: 'unconfirmed' });
      assert.deepEqual(await drain(), []);
    } finally {
      await publisher.close();
      await proxy.close();
    }
  });

  test('rejects publishes after close()', async () => {
    const publisher = new JobPublisher({ url: AMQP_URL, queue, timeoutMs: 2000, logger });
    await publisher.close();
    await assert.rejects(publisher.publish(job()), { name: 'PublishError', code: 'closed' });
  });
});
