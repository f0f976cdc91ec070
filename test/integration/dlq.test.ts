import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import amqp, { ChannelModel, ConfirmChannel } from 'amqplib';
import pino from 'pino';
import { assertTopology, deadLetterExchangeFor, deadLetterQueueFor } from '../../src/amqp/topology';
import { createBridge } from '../../src/bridge/bridge';
import { decodeJob } from '../../src/bridge/decode';
import { listDeadJobs } from '../../src/bridge/dead-letters';
import { parseConfigSubset } from '../../src/config';
import { Sealer, randomId } from '../../src/shared/crypto';
import type { TransferJob } from '../../src/shared/job';
import type { TransferInput } from '../../src/shared/types';

/**
 * `npm run dlq` against the real RabbitMQ, on a queue of its own.
 *
 * From RabbitMQ 4.0 on, a quorum queue drops a message handed back 20 times; this machine's broker may be older,
 * without that default, so a policy gives this test's dead queue the same limit. Older brokers count every hand-back
 * (nack, reject, a closed channel), so here any lister that reads by handing messages back loses the job after
 * about twenty listings — a control queue under the same policy shows that — and 25 listings prove `list` does not.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exec = promisify(execFile);
const sealer = new Sealer('a-test-secret-key-of-at-least-32-chars');
const SEALED = sealer.seal('refresh-token', '1//a-refresh-token');

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
    sealed_refresh_token: SEALED,
    ...overrides,
  };
}

/** The CLI as support runs it (`npm run dlq -- …`), with the services' variables. */
async function dlq(queue: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'dlq.ts'), ...args], {
    env: { PATH: process.env.PATH, AMQP_URL, AMQP_QUEUE: queue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

describe('npm run dlq', { timeout: 180_000 }, () => {
  const queue = `test.dlq.${randomUUID()}`;
  const dead = deadLetterQueueFor(queue);
  const control = `${dead}.control`;
  const policy = `test-dlq-limit-${randomUUID()}`;
  const config = parseConfigSubset({ AMQP_URL, AMQP_QUEUE: queue }, ['AMQP_URL', 'AMQP_QUEUE', 'GALLERY_API_URL']);
  const rejected = job({ gallery_id: '111111' }); // archive_url names 858329: the bridge dead-letters it
  const exhausted = job(); // valid, but its consumers kept failing until the delivery limit
  let connection: ChannelModel;
  let channel: ConfirmChannel;

  const ready = async (name: string) => (await channel.checkQueue(name)).messageCount;

  /** Polls `done` until it holds; fails after `ms` naming `what`. */
  async function until(what: string, done: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function send(to: string, body: TransferJob): Promise<void> {
    channel.sendToQueue(to, Buffer.from(JSON.stringify(body)), { persistent: true, messageId: body.transfer_id });
    await channel.waitForConfirms();
  }

  before(async () => {
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createConfirmChannel();
    await assertTopology(channel, queue);
    await channel.assertQueue(control, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const pattern = `^${dead.replace(/\./g, '\\.')}(\\.control)?$`;
    await exec('rabbitmqctl', ['set_policy', '--apply-to', 'queues', '--priority', '100', policy, pattern, '{"delivery-limit":20}']);
    await until('the delivery-limit policy on the dead and control queues', async () => {
      const { stdout } = await exec('rabbitmqctl', ['-q', 'list_queues', 'name', 'policy', '--no-table-headers']);
      const applied = stdout.split('\n').filter((line) => line.trim().endsWith(policy)).map((line) => line.split(/\s+/)[0]);
      return applied.includes(dead) && applied.includes(control);
    });

    // The bridge's own path to the dead queue: an invalid job, rejected.
    await send(queue, rejected);
    const bridge = createBridge({
      config: { ...config, AMQP_PREFETCH: 4 },
      logger: pino({ level: 'silent' }),
      startWorkflow: () => Promise.reject(new Error('not reached: the job is invalid')),
    });
    await bridge.start();
    await until('the bridge to dead-letter the invalid job', async () => (await ready(dead)) === 1);
    await bridge.stop();
    // The delivery-limit path: a valid job handed back (reject, which every version counts) until RabbitMQ gives up.
    await send(queue, exhausted);
    await until('the exhausted job to be dead-lettered by the delivery limit', async () => {
      const message = await channel.get(queue, { noAck: false });
      if (message) channel.reject(message, true);
      return (await ready(dead)) === 2;
    });
  });

  after(async () => {
    await exec('rabbitmqctl', ['clear_policy', policy]).catch(() => undefined);
    for (const name of [queue, dead, control]) await channel.deleteQueue(name).catch(() => undefined);
    await channel.deleteExchange(deadLetterExchangeFor(queue)).catch(() => undefined);
    await connection.close();
  });

  test('control: under this policy a job handed back 20 times is gone', async () => {
    await send(control, job());
    let takes = 0;
    for (;;) {
      const message = await channel.get(control, { noAck: false });
      if (!message) break;
      takes++;
      assert.ok(takes <= 25, 'the policy is not in force: the message survived 25 hand-backs');
      channel.reject(message, true);
    }
    assert.ok(takes >= 20 && takes <= 21, `dropped after ${takes} deliveries`);
  });

  test('list, 25 times: both jobs stay, with their bodies, x-death and no delivery spent', async () => {
    const first = await listDeadJobs({ config });
    assert.deepEqual(
      first.map((j) => ({ ...j, deaths: j.deaths.map((d) => ({ ...d, firstAt: typeof d.firstAt })) })),
      [
        {
          transferId: rejected.transfer_id,
          cloudType: 'google_drive',
          galleryId: '111111',
          archiveType: 'webs',
          createdAt: '2026-01-02T03:04:05.000Z',
          deaths: [{ reason: 'rejected', count: 1, firstAt: 'string', queue }],
          problem: 'archive_url: does not point at gallery_id',
        },
        {
          transferId: exhausted.transfer_id,
          cloudType: 'google_drive',
          galleryId: '858329',
          archiveType: 'webs',
          createdAt: '2026-01-02T03:04:05.000Z',
          deaths: [{ reason: 'delivery_limit', count: 1, firstAt: 'string', queue }],
          problem: null,
        },
      ],
    );
    for (let listing = 2; listing <= 25; listing++) {
      assert.deepEqual(await listDeadJobs({ config }), first, `listing ${listing} differs from the first`);
    }

    // Read behind the tool's back: the bodies are byte for byte what was published, and RabbitMQ counts no delivery.
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const message = await channel.get(dead, { noAck: false });
      assert.ok(message, 'a dead job is missing');
      seen.push(message);
    }
    assert.equal(await channel.get(dead, { noAck: false }), false, 'more than two messages in the dead queue');
    assert.deepEqual(seen.map((m) => m.content.toString('utf8')), [JSON.stringify(rejected), JSON.stringify(exhausted)]);
    for (const message of seen) {
      assert.equal(Number(message.properties.headers?.['x-delivery-count'] ?? 0), 0, 'a listing was counted as a delivery');
      assert.equal((message.properties.headers?.['x-death'] as unknown[]).length, 1);
    }
    channel.nackAll(true);
  });

  test('the CLI lists them without any token', async () => {
    const { code, stdout, stderr } = await dlq(queue, 'list');
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`^${dead.replace(/\./g, '\\.')}: 2 dead-lettered jobs$`, 'm'));
    assert.match(stdout, new RegExp(`transfer_id=${rejected.transfer_id} cloud_type=google_drive gallery_id=111111 archive_type=webs created_at=2026-01-02T03:04:05.000Z\\n  died: rejected ×1, first \\d{4}-\\S+Z, from queue ${queue.replace(/\./g, '\\.')}\\n  the bridge rejects it: archive_url: does not point at gallery_id`));
    assert.match(stdout, new RegExp(`transfer_id=${exhausted.transfer_id} cloud_type=google_drive gallery_id=858329 archive_type=webs created_at=\\S+\\n  died: delivery_limit ×1, first \\S+, from queue `));
    assert.ok(!stdout.includes(SEALED) && !stdout.includes('v1.') && !stderr.includes(SEALED), 'the sealed refresh token was printed');
  });

  test('replay: an unknown id and a job the bridge would reject again are refused, and stay put', async () => {
    const unknown = randomId();
    const missing = await dlq(queue, 'replay', unknown);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), `no dead-lettered job with transfer_id ${unknown} in ${dead}`);
    const refused = await dlq(queue, 'replay', rejected.transfer_id);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not replayed: the bridge would dead-letter .* again \(archive_url: does not point at gallery_id\)/);
    assert.equal(await ready(queue), 0);
    assert.deepEqual((await listDeadJobs({ config })).map((j) => j.transferId), [rejected.transfer_id, exhausted.transfer_id]);
  });

  test('replay puts the job in the transfer queue, confirmed, removes every copy, and the bridge starts it', async () => {
    // A second copy, as a replay that crashed between its two steps would leave.
    await send(dead, exhausted);
    const { code, stdout, stderr } = await dlq(queue, 'replay', exhausted.transfer_id);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), `replayed ${exhausted.transfer_id} to ${queue} (confirmed); removed 2 copies from ${dead}`);
    assert.deepEqual((await listDeadJobs({ config })).map((j) => j.transferId), [rejected.transfer_id]);

    const message = await channel.get(queue, { noAck: false });
    assert.ok(message, 'the replayed job is not in the transfer queue');
    assert.equal(message.content.toString('utf8'), JSON.stringify(exhausted));
    assert.equal(message.properties.deliveryMode, 2);
    assert.equal(message.properties.messageId, exhausted.transfer_id);
    const decoded = decodeJob(message.content, config);
    assert.ok(decoded.ok, 'the bridge would not accept the replayed job');
    channel.nack(message, false, true);

    const started: TransferInput[] = [];
    const bridge = createBridge({
      config: { ...config, AMQP_PREFETCH: 4 },
      logger: pino({ level: 'silent' }),
      startWorkflow: async (input) => {
        started.push(input);
        return 'started';
      },
    });
    await bridge.start();
    try {
      await until('the bridge to start the replayed transfer and ack it', async () => started.length === 1 && (await ready(queue)) === 0);
    } finally {
      await bridge.stop();
    }
    assert.equal(started[0]!.transferId, exhausted.transfer_id);
    assert.equal(started[0]!.sealedRefreshToken, SEALED);
  });
});
