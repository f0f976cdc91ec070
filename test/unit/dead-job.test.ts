import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDeadJob, formatDeadJob, parseDeaths } from '../../src/bridge/dead-job';
import { ConfigError, parseConfigSubset } from '../../src/config';

/** What `npm run dlq -- list` shows of a dead message: the job's names and its deaths, never a token. */

const config = { GALLERY_API_URL: 'https://app.litegallery.io' };
const SEALED = 'v1.c2VhbGVk.dG9rZW4.secret-looking-part';
const TRANSFER_ID = 'AbCdEfGhIjKlMnOpQrStUv';

const job = {
  v: 1,
  transfer_id: TRANSFER_ID,
  created_at: '2026-01-02T03:04:05.000Z',
  cloud_type: 'yadisk',
  archive_type: 'originals',
  archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
  gallery_id: '858329',
  gallery_name: 'Wedding',
  sealed_refresh_token: SEALED,
};

/** x-death as amqplib decodes it (AMQP timestamps in seconds, trapdoor-wrapped). */
const xDeath = [
  { count: 3, reason: 'delivery_limit', queue: 'cloud_archive.transfers', time: { '!': 'timestamp', value: 1_767_323_045 }, exchange: '', 'routing-keys': ['cloud_archive.transfers'] },
  { count: 1, reason: 'rejected', queue: 'other.queue', time: { '!': 'timestamp', value: 1_767_000_000 }, exchange: '', 'routing-keys': [] },
];

const message = (body: unknown, headers: Record<string, unknown> = { 'x-death': xDeath }, messageId?: string) => ({
  content: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
  properties: { headers, messageId },
});

test('a valid dead job: its names, each death with reason, count, first time and queue; nothing the bridge objects to', () => {
  const dead = describeDeadJob(message(job), config);
  assert.deepEqual(dead, {
    transferId: TRANSFER_ID,
    cloudType: 'yadisk',
    galleryId: '858329',
    archiveType: 'originals',
    createdAt: '2026-01-02T03:04:05.000Z',
    deaths: [
      { reason: 'delivery_limit', count: 3, firstAt: '2026-01-02T03:04:05.000Z', queue: 'cloud_archive.transfers' },
      { reason: 'rejected', count: 1, firstAt: '2025-12-29T09:20:00.000Z', queue: 'other.queue' },
    ],
    problem: null,
  });
  assert.equal(
    formatDeadJob(dead),
    [
      `transfer_id=${TRANSFER_ID} cloud_type=yadisk gallery_id=858329 archive_type=originals created_at=2026-01-02T03:04:05.000Z`,
      '  died: delivery_limit ×3, first 2026-01-02T03:04:05.000Z, from queue cloud_archive.transfers',
      '  died: rejected ×1, first 2025-12-29T09:20:00.000Z, from queue other.queue',
    ].join('\n'),
  );
});

test('an invalid job: fields that break their rule show as "?", the bridge\'s reason is given, no value leaks', () => {
  const hostile = { ...job, cloud_type: SEALED, gallery_id: '1//refresh-token-ish', created_at: 'yesterday' };
  const text = formatDeadJob(describeDeadJob(message(hostile), config));
  assert.match(text, new RegExp(`^transfer_id=${TRANSFER_ID} cloud_type=\\? gallery_id=\\? archive_type=originals created_at=\\?$`, 'm'));
  assert.match(text, /^ {2}the bridge rejects it: created_at: .*cloud_type: .*gallery_id: /m);
  assert.ok(!text.includes(SEALED) && !text.includes('refresh-token-ish') && !text.includes('yesterday'), text);
});

test('a body that is not JSON is named by its message id (the API sets it to the transfer id)', () => {
  const dead = describeDeadJob(message(Buffer.from(`not json ${SEALED}`), {}, TRANSFER_ID), config);
  assert.equal(dead.transferId, TRANSFER_ID);
  assert.equal(dead.problem, 'body is not JSON');
  const text = formatDeadJob(dead);
  assert.match(text, /^ {2}died: \? \(no x-death header\)$/m);
  assert.ok(!text.includes(SEALED));
  assert.equal(describeDeadJob(message(Buffer.from('[]'), {}, 'not an id!'), config).transferId, null);
});

test('x-death entries that are not what RabbitMQ writes are skipped or shown as "?"', () => {
  assert.deepEqual(parseDeaths(undefined), []);
  assert.deepEqual(parseDeaths('rejected'), []);
  assert.deepEqual(parseDeaths([null, { reason: 1, queue: 'q' }, { reason: 'rejected', queue: 'has spaces\nand lines', count: 'x' }]), [
    { reason: 'rejected', count: 0, firstAt: null, queue: '?' },
  ]);
});

test('parseConfigSubset: only the named variables, with the services\' rules and defaults', () => {
  assert.deepEqual(parseConfigSubset({ AMQP_QUEUE: 'q.x' }, ['AMQP_URL', 'AMQP_QUEUE']), {
    AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    AMQP_QUEUE: 'q.x',
  });
  assert.throws(() => parseConfigSubset({ AMQP_URL: 'http://x' }, ['AMQP_URL']), (err: unknown) => err instanceof ConfigError && /AMQP_URL: must start with amqp/.test(err.message));
});
