import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import amqp, { Channel, ChannelModel } from 'amqplib';
import pino from 'pino';
import { RunningApi, startApi } from '../../src/api/server';
import { parseConfig } from '../../src/config';
import { runConsent } from '../../src/devtools/consent-client';
import { freePort } from '../../src/devtools/temporal-server';
import { createGoogleEmulator } from '../../src/emulators/google';

/**
 * The API is ready while it can queue jobs: real RabbitMQ, and Temporal at a port nothing listens on. Google's
 * redirect back must then reach the API (not the ingress's 503) and end on the success link with the job queued.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const SUCCESS_LINK = 'https://front.lite.gallery/done?lang=ru';
const CLIENT = { clientId: 'readiness-client.apps.googleusercontent.com', clientSecret: 'readiness-secret' };

interface ReadyzBody {
  status?: string;
  error?: string;
  checks?: { amqp: boolean; temporal: boolean };
}

async function readyz(api: RunningApi): Promise<{ status: number; body: ReadyzBody }> {
  const res = await fetch(`${api.url}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadyzBody };
}

describe('API readiness with Temporal down', { timeout: 60_000 }, () => {
  const google = createGoogleEmulator({ ...CLIENT, redirectUris: [] });
  const queues: string[] = [];
  const apis: RunningApi[] = [];
  let googleUrl: string;
  let connection: ChannelModel;
  let channel: Channel;

  /** An API on a queue of its own whose Temporal address refuses connections. */
  async function apiWithoutTemporal(env: Record<string, string> = {}): Promise<{ api: RunningApi; queue: string }> {
    const [port, closedPort] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${port}`;
    google.setOptions({ redirectUris: [...apis.map((a) => `${a.url}/cloud_archive/oauth/google/callback`), `${publicUrl}/cloud_archive/oauth/google/callback`] });
    const queue = `test.readiness.${randomUUID()}`;
    queues.push(queue);
    const config = parseConfig({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      GOOGLE_CLIENT_ID: CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: CLIENT.clientSecret,
      GOOGLE_AUTH_URL: `${googleUrl}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${googleUrl}/token`,
      GOOGLE_REVOKE_URL: `${googleUrl}/revoke`,
      GOOGLE_API_URL: googleUrl,
      COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
      CALLBACK_SECRET: 'callback-secret-16+',
      SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
      AMQP_URL,
      AMQP_QUEUE: queue,
      TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}`,
      ...env,
    });
    const api = await startApi(config, pino({ level: 'silent' }));
    apis.push(api);
    return { api, queue };
  }

  before(async () => {
    googleUrl = (await google.listen(0, '127.0.0.1')).url;
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
  });

  after(async () => {
    for (const api of apis) await api.close();
    for (const queue of queues) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(`${queue}.dead`);
      await channel.deleteExchange(`${queue}.dlx`);
    }
    await connection.close();
    await google.close();
  });

  test('/readyz is 200 and says degraded; a consent lands on the success link with its job in RabbitMQ', async () => {
    const { api, queue } = await apiWithoutTemporal();
    assert.deepEqual(await readyz(api), {
      status: 200,
      body: {
        status: 'degraded',
        message: 'Temporal unreachable: transfers are queued and start when it is back; transfer status and the one-time consent check wait for it.',
        checks: { amqp: true, temporal: false },
      } as ReadyzBody,
    });

    const outcome = await runConsent(
      api.url,
      {
        redirect_success_link: SUCCESS_LINK,
        redirect_fail_link: 'https://front.lite.gallery/failed',
        archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
        gallery_name: 'Readiness',
        archive_type: 'webs',
        cloud_type: 'google_drive',
      },
      (url) => url.host === 'front.lite.gallery',
    );
    assert.equal(outcome.location.pathname, '/done', outcome.chain.join(' → '));
    const message = await channel.get(queue, { noAck: true });
    assert.ok(message, 'the job is queued');
    assert.equal((JSON.parse(message.content.toString()) as { transfer_id: string }).transfer_id, outcome.transferId);
  });

  test('a publishing channel that stops working makes /readyz 503; the next probe opens a new one', async () => {
    const { api, queue } = await apiWithoutTemporal();
    assert.equal((await readyz(api)).status, 200);
    // Deleting the queue closes the API's channel on its next use, as a broker that lost the queue would.
    await channel.deleteQueue(queue);
    const broken = await readyz(api);
    assert.equal(broken.status, 503);
    assert.equal(broken.body.error, 'not_ready');
    assert.deepEqual(broken.body.checks, { amqp: false, temporal: false });
    assert.equal((await readyz(api)).status, 200, 'reconnected, and the queue declared again');
    await channel.checkQueue(queue);
  });

  test('/readyz is 503 when RabbitMQ cannot be reached', async () => {
    const { api } = await apiWithoutTemporal({ AMQP_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}` });
    const { status, body } = await readyz(api);
    assert.equal(status, 503);
    assert.equal(body.error, 'not_ready');
    assert.deepEqual(body.checks, { amqp: false, temporal: false });
  });
});
