import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import pino from 'pino';
import { startApi, RunningApi } from '../../src/api/server';
import { OAuthState, sealState } from '../../src/api/oauth-state';
import { parseConfig, Config } from '../../src/config';
import { freePort } from '../../src/devtools/temporal-server';
import { createYandexEmulator, YandexEmulator } from '../../src/emulators/yandex';
import { Sealer } from '../../src/shared/crypto';
import { transferJobSchema } from '../../src/shared/job';

/**
 * The consent flow for `cloud_type: "yadisk"`: the API on a free port, the Yandex ID emulator as the
 * authorisation server, the real RabbitMQ as the queue.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const SUCCESS_LINK = 'https://front.lite.gallery/done';
const FAIL_LINK = 'https://front.lite.gallery/failed';
const body = {
  redirect_success_link: SUCCESS_LINK,
  redirect_fail_link: FAIL_LINK,
  archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
  gallery_name: 'Gallery',
  archive_type: 'originals',
  cloud_type: 'yadisk',
};

describe('consent for Yandex Disk', () => {
  let yandex: YandexEmulator;
  let api: RunningApi;
  let config: Config;

  before(async () => {
    yandex = createYandexEmulator({ clientId: 'ya-client', clientSecret: 'ya-secret', redirectUris: [] });
    const { url } = await yandex.listen(0, '127.0.0.1');
    // Chosen once the emulator holds its port, so it cannot be the emulator's.
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    yandex.setOptions({ redirectUris: [`${publicUrl}/cloud_archive/oauth/yandex/callback`] });
    config = parseConfig({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      YANDEX_CLIENT_ID: 'ya-client',
      YANDEX_CLIENT_SECRET: 'ya-secret',
      YANDEX_AUTH_URL: `${url}/authorize`,
      YANDEX_TOKEN_URL: `${url}/token`,
      YANDEX_REVOKE_URL: `${url}/revoke_token`,
      YANDEX_API_URL: url,
      COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
      CALLBACK_SECRET: 'callback-secret-16+',
      SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
      AMQP_URL,
      AMQP_QUEUE: `test.api-yandex.${randomUUID()}`,
    });
    api = await startApi(config, pino({ level: 'silent' }));
  });
  after(async () => {
    await api?.close();
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const q of [config.AMQP_QUEUE, `${config.AMQP_QUEUE}.dead`]) await channel.deleteQueue(q);
    await channel.deleteExchange(`${config.AMQP_QUEUE}.dlx`);
    await connection.close();
    await yandex?.close();
  });

  const start = async () => {
    const res = await fetch(`${api.url}/cloud_archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    return (await res.json()) as { redirect_to: string; transfer_id: string };
  };

  test('the consent URL asks Yandex ID for Disk write + read, with PKCE S256 and our Yandex callback', async () => {
    const { redirect_to } = await start();
    const url = new URL(redirect_to);
    assert.equal(`${url.origin}${url.pathname}`, config.YANDEX_AUTH_URL);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('client_id'), 'ya-client');
    assert.equal(url.searchParams.get('redirect_uri'), `${config.PUBLIC_URL}/cloud_archive/oauth/yandex/callback`);
    assert.equal(url.searchParams.get('scope'), 'cloud_api:disk.write cloud_api:disk.read');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.equal(url.searchParams.get('force_confirm'), 'yes');
  });

  test('allow → a confirmed job with cloud_type yadisk and the sealed Yandex refresh token → success link', async () => {
    const { redirect_to, transfer_id } = await start();
    const consent = await fetch(redirect_to, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    assert.equal(callback.pathname, '/cloud_archive/oauth/yandex/callback');
    const done = await fetch(callback, { redirect: 'manual' });
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), `${SUCCESS_LINK}?transfer_id=${transfer_id}`);

    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    const message = await channel.get(config.AMQP_QUEUE, { noAck: true });
    await connection.close();
    assert.ok(message, 'the job is in the queue');
    const job = transferJobSchema.parse(JSON.parse(message.content.toString()));
    assert.equal(job.cloud_type, 'yadisk');
    assert.equal(job.transfer_id, transfer_id);
    const refreshToken = new Sealer(config.SECRET_KEY).open('refresh-token', job.sealed_refresh_token);
    assert.ok(yandex.issuedSecrets().refreshTokens.includes(refreshToken), 'the refresh token Yandex issued, sealed');
    assert.ok(!message.content.toString().includes(refreshToken), 'and never in clear');
  });

  test('a state made for Google is refused at the Yandex callback', async () => {
    const state: OAuthState = {
      transfer_id: 'x'.repeat(22),
      ...body,
      cloud_type: 'google_drive',
      archive_type: 'originals',
      exp: Math.floor(Date.now() / 1000) + 600,
      separate_copy: false,
    };
    const sealed = sealState(new Sealer(config.SECRET_KEY), state);
    const res = await fetch(`${api.url}/cloud_archive/oauth/yandex/callback?code=c&state=${encodeURIComponent(sealed)}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
  });
});
