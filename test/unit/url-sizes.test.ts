import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import pino from 'pino';
import { RunningApi, startApi } from '../../src/api/server';
import { REQUEST_LIMITS } from '../../src/api/transfer-request';
import { Config, parseConfig } from '../../src/config';
import { runConsent } from '../../src/devtools/consent-client';
import { freePort } from '../../src/devtools/temporal-server';
import { createGoogleEmulator, GoogleEmulator } from '../../src/emulators/google';
import { createYandexEmulator, YandexEmulator } from '../../src/emulators/yandex';

/**
 * Every URL a browser is sent to stays under 4 KiB with every request field at its maximum: ingress-nginx's
 * default buffer for a request line is 8 KiB, other proxies and CDNs allow less. The API, both consent emulators
 * and the real RabbitMQ; client ids as long as real ones.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const GOOGLE_CLIENT_ID = '123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com';
const YANDEX_CLIENT_ID = '0123456789abcdef0123456789abcdef';
const URL_LIMIT = 4096;
// The test's PUBLIC_URL (http://127.0.0.1:<port>) is shorter than a production one, and Google may add parameters
// the emulator does not (iss=https://accounts.google.com): the URLs here must leave that much room.
const HEADROOM = 128;

/** An http(s) URL of exactly `length` characters: `prefix` padded in its last path segment. */
function urlOfLength(prefix: string, suffix: string, length: number): string {
  const url = `${prefix}${'p'.repeat(length - prefix.length - suffix.length)}${suffix}`;
  assert.equal(new URL(url).href, url, 'already in its normalised form');
  return url;
}

function maximalBody(cloudType: string): Record<string, string> {
  return {
    redirect_success_link: urlOfLength('https://front.lite.gallery/done/', '?lang=ru', REQUEST_LIMITS.redirectLinkChars),
    redirect_fail_link: urlOfLength('https://front.lite.gallery/failed/', '?lang=ru', REQUEST_LIMITS.redirectLinkChars),
    archive_url: urlOfLength('https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web&x=', '', REQUEST_LIMITS.archiveUrlChars),
    // Three bytes in UTF-8 each: the most a UTF-16 unit can take.
    gallery_name: '語'.repeat(REQUEST_LIMITS.galleryNameChars),
    archive_type: 'originals',
    cloud_type: cloudType,
  };
}

describe('URL sizes with every field at its maximum', () => {
  let google: GoogleEmulator;
  let yandex: YandexEmulator;
  let api: RunningApi;
  let config: Config;

  before(async () => {
    google = createGoogleEmulator({ clientId: GOOGLE_CLIENT_ID, clientSecret: 'g-secret', redirectUris: [] });
    const googleUrl = (await google.listen(0, '127.0.0.1')).url;
    yandex = createYandexEmulator({ clientId: YANDEX_CLIENT_ID, clientSecret: 'ya-secret', redirectUris: [] });
    const yandexUrl = (await yandex.listen(0, '127.0.0.1')).url;
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    google.setOptions({ redirectUris: [`${publicUrl}/cloud_archive/oauth/google/callback`] });
    yandex.setOptions({ redirectUris: [`${publicUrl}/cloud_archive/oauth/yandex/callback`] });
    config = parseConfig({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      GOOGLE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GOOGLE_AUTH_URL: `${googleUrl}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${googleUrl}/token`,
      GOOGLE_REVOKE_URL: `${googleUrl}/revoke`,
      YANDEX_CLIENT_ID,
      YANDEX_CLIENT_SECRET: 'ya-secret',
      YANDEX_AUTH_URL: `${yandexUrl}/authorize`,
      YANDEX_TOKEN_URL: `${yandexUrl}/token`,
      YANDEX_REVOKE_URL: `${yandexUrl}/revoke_token`,
      COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
      CALLBACK_SECRET: 'callback-secret-16+',
      SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
      AMQP_URL,
      AMQP_QUEUE: `test.url-sizes.${randomUUID()}`,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      TEMPORAL_TASK_QUEUE: `test-url-sizes-${randomUUID()}`,
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
    await google?.close();
    await yandex?.close();
  });

  const post = (body: Record<string, string>) =>
    fetch(`${api.url}/cloud_archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const leavesUs = (url: URL) => url.origin !== api.url && !url.pathname.startsWith('/o/oauth2') && url.pathname !== '/authorize';

  function assertShort(chain: string[]): void {
    for (const url of chain) {
      const bytes = Buffer.byteLength(url);
      assert.ok(bytes < URL_LIMIT - HEADROOM, `${bytes} bytes: ${new URL(url).pathname} (limit ${URL_LIMIT - HEADROOM})`);
    }
  }

  for (const cloudType of ['google_drive', 'yadisk']) {
    test(`${cloudType}: consent URL, callback URL and success link`, async (t) => {
      const body = maximalBody(cloudType);
      const outcome = await runConsent(api.url, body, leavesUs);
      assert.equal(outcome.chain.length, 3, `consent → callback → gallery: ${outcome.chain.map((u) => new URL(u).pathname).join(' → ')}`);
      assert.ok(outcome.transferId, 'went to the success link');
      assert.equal(outcome.location.toString(), `${body.redirect_success_link}&transfer_id=${outcome.transferId}`);
      const sizes = outcome.chain.map((u) => Buffer.byteLength(u));
      t.diagnostic(`bytes: consent URL ${sizes[0]}, callback URL ${sizes[1]}, success link ${sizes[2]}`);
      assertShort(outcome.chain);
    });

    test(`${cloudType}: the fail link`, async () => {
      const emulator = cloudType === 'yadisk' ? yandex : google;
      emulator.setOptions({ consent: 'deny' });
      try {
        const body = maximalBody(cloudType);
        const outcome = await runConsent(api.url, body, leavesUs);
        const transferId = outcome.location.searchParams.get('transfer_id');
        assert.equal(outcome.location.toString(), `${body.redirect_fail_link}&reason=access_denied&transfer_id=${transferId}`);
        assertShort(outcome.chain);
      } finally {
        emulator.setOptions({ consent: 'allow' });
      }
    });
  }

  test('one character more in any field is refused, naming the field', async () => {
    const body = maximalBody('google_drive');
    const over: Record<string, string> = {
      redirect_success_link: `${body.redirect_success_link}p`,
      redirect_fail_link: `${body.redirect_fail_link}p`,
      archive_url: `${body.archive_url}p`,
      gallery_name: `${body.gallery_name}語`,
    };
    for (const [field, value] of Object.entries(over)) {
      const res = await post({ ...body, [field]: value });
      assert.equal(res.status, 400, field);
      const error = (await res.json()) as { field: string; message: string };
      assert.equal(error.field, field);
      assert.match(error.message, /at most/);
    }
  });
});
