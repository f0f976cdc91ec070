import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import amqp, { Channel, ChannelModel } from 'amqplib';
import pino from 'pino';
import { JobPublisher } from '../../src/amqp/publisher';
import { LazyTemporalClient } from '../../src/bridge/temporal-client';
import { assertTopology } from '../../src/amqp/topology';
import { createApp } from '../../src/api/app';
import { ConsentClaim, consentClaimer } from '../../src/api/consent-claim';
import { startApi } from '../../src/api/server';
import { pkceFor } from '../../src/api/consent';
import { OAuthState, openState, sealState } from '../../src/api/oauth-state';
import type { Readiness } from '../../src/api/routes/health';
import { Config, parseConfig } from '../../src/config';
import { GOOGLE_CALLBACK_PATH as OAUTH_CALLBACK_PATH } from '../../src/providers/google-drive/destination';
import { Sealer } from '../../src/shared/crypto';
import { transferJobSchema } from '../../src/shared/job';

/**
 * The API in-process on an ephemeral port, publishing to the real RabbitMQ (a queue of its own), with a small
 * real HTTP server standing in for Google's token and revoke endpoints.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const DRIVE_FILE = 'https://www.googleapis.com/auth/drive.file';
const ARCHIVE_URL = 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web';
const SUCCESS_LINK = 'https://front.lite.gallery/done?lang=ru#top';
const FAIL_LINK = 'https://front.lite.gallery/failed?lang=ru';
const REFRESH_TOKEN = `1//refresh-${randomUUID()}`;
const ACCESS_TOKEN = `ya29.access-${randomUUID()}`;

const validBody = {
  redirect_success_link: SUCCESS_LINK,
  redirect_fail_link: FAIL_LINK,
  archive_url: ARCHIVE_URL,
  gallery_name: '  Свадьба A & B  ',
  archive_type: 'webs',
  cloud_type: 'google_drive',
};

function testConfig(env: Record<string, string>): Config {
  return parseConfig({
    GOOGLE_CLIENT_ID: 'test-client.apps.googleusercontent.com',
    GOOGLE_CLIENT_SECRET: 'test-client-secret',
    COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
    CALLBACK_SECRET: 'callback-secret-16+',
    SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
    PUBLIC_URL: 'https://api.example.test',
    AMQP_URL,
    AMQP_QUEUE: `test.api.${randomUUID()}`,
    AMQP_PUBLISH_TIMEOUT_MS: '2000',
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    ...env,
  });
}

/** Google's token + revoke endpoints: answers with whatever the test sets, records what it was sent. */
class FakeTokenEndpoint {
  reply: { status: number; body: unknown } = { status: 200, body: {} };
  readonly tokenRequests: URLSearchParams[] = [];
  readonly revoked: string[] = [];
  #onRevoke: (() => void) | null = null;
  readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/token') {
        this.tokenRequests.push(new URLSearchParams(Buffer.concat(chunks).toString()));
        res.writeHead(this.reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(this.reply.body));
      } else {
        this.revoked.push(url.searchParams.get('token') ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        this.#onRevoke?.();
      }
    });
  });

  nextRevoke(): Promise<void> {
    return new Promise((resolve) => (this.#onRevoke = resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('API', { timeout: 20_000 }, () => {
  const google = new FakeTokenEndpoint();
  // A plain logger without redaction: proves we never log tokens, rather than relying on the redaction net.
  const logLines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) });
  let readiness: Readiness = { amqp: true, temporal: true };
  let config: Config;
  let sealer: Sealer;
  let publisher: JobPublisher;
  let temporal: LazyTemporalClient;
  let claim: ConsentClaim;
  let server: http.Server;
  let base: string;
  let connection: ChannelModel;
  let channel: Channel;

  before(async () => {
    await listen(google.server);
    config = testConfig({ GOOGLE_TOKEN_URL: `${google.url}/token`, GOOGLE_REVOKE_URL: `${google.url}/revoke` });
    sealer = new Sealer(config.SECRET_KEY);
    publisher = new JobPublisher({ url: AMQP_URL, queue: config.AMQP_QUEUE, timeoutMs: 2000, logger });
    temporal = new LazyTemporalClient(config);
    claim = consentClaimer(temporal, config.TEMPORAL_TASK_QUEUE);
    server = http.createServer(createApp({ config, publisher, claim, logger, readiness: async () => readiness }));
    base = await listen(server);
    connection = await amqp.connect(AMQP_URL);
    channel = await connection.createChannel();
    await assertTopology(channel, config.AMQP_QUEUE);
  });

  after(async () => {
    await close(server);
    await close(google.server);
    await publisher.close();
    await temporal.close();
    await channel.deleteQueue(config.AMQP_QUEUE);
    await channel.deleteQueue(`${config.AMQP_QUEUE}.dead`);
    await channel.deleteExchange(`${config.AMQP_QUEUE}.dlx`);
    await connection.close();
  });

  const post = (body: unknown, contentType = 'application/json'): Promise<Response> =>
    fetch(`${base}/cloud_archive`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const callback = (params: Record<string, string>): Promise<Response> =>
    fetch(`${base}${OAUTH_CALLBACK_PATH}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  /** A state as POST /cloud_archive seals it, with overrides. */
  const stateFor = (overrides: Partial<OAuthState> = {}): string =>
    sealState(sealer, {
      transfer_id: `t_${randomUUID().replaceAll('-', '')}`,
      redirect_success_link: SUCCESS_LINK,
      redirect_fail_link: FAIL_LINK,
      archive_url: ARCHIVE_URL,
      gallery_name: 'Gallery',
      archive_type: 'webs',
      cloud_type: 'google_drive',
      exp: Math.floor(Date.now() / 1000) + 600,
      ...overrides,
    });

  /** Runs the real first half of the flow and returns the state Google would send back. */
  async function consent(): Promise<{ state: string; transferId: string; challenge: string }> {
    const res = await post(validBody);
    assert.equal(res.status, 200);
    const { redirect_to, transfer_id } = (await res.json()) as { redirect_to: string; transfer_id: string };
    const url = new URL(redirect_to);
    return { state: url.searchParams.get('state')!, transferId: transfer_id, challenge: url.searchParams.get('code_challenge')! };
  }

  function failReason(res: Response): string | null {
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, 'https://front.lite.gallery/failed');
    assert.equal(location.searchParams.get('lang'), 'ru', 'the fail link keeps its own query');
    assert.ok(location.searchParams.get('transfer_id'), 'the fail link names the attempt');
    return location.searchParams.get('reason');
  }

  describe('POST /cloud_archive', () => {
    test('answers with a Google consent URL carrying PKCE and a sealed state', async () => {
      const res = await post({ ...validBody, unknown_field: 'ignored' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const body = (await res.json()) as { redirect_to: string; transfer_id: string };
      assert.match(body.transfer_id, /^[A-Za-z0-9_-]{22}$/);

      const url = new URL(body.redirect_to);
      assert.equal(`${url.origin}${url.pathname}`, 'https://accounts.google.com/o/oauth2/v2/auth');
      const q = url.searchParams;
      assert.equal(q.get('client_id'), 'test-client.apps.googleusercontent.com');
      assert.equal(q.get('redirect_uri'), `https://api.example.test${OAUTH_CALLBACK_PATH}`);
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('scope'), DRIVE_FILE);
      assert.equal(q.get('access_type'), 'offline');
      assert.equal(q.get('prompt'), 'consent');
      assert.equal(q.get('code_challenge_method'), 'S256');

      const state = openState(sealer, q.get('state')!)!;
      assert.equal(state.transfer_id, body.transfer_id);
      assert.equal(state.gallery_name, 'Свадьба A & B', 'trimmed');
      assert.equal(state.redirect_success_link, SUCCESS_LINK);
      assert.equal(state.archive_url, ARCHIVE_URL);
      assert.equal('unknown_field' in state, false);
      const now = Date.now() / 1000;
      assert.ok(state.exp > now + 590 && state.exp <= now + 601, `exp ${state.exp} is about ten minutes ahead`);
      const challenge = createHash('sha256').update(pkceFor(sealer, body.transfer_id).codeVerifier).digest('base64url');
      assert.equal(q.get('code_challenge'), challenge, 'the challenge is S256 of the verifier derived for this transfer');
    });

    const invalid: Array<[string, Record<string, unknown>, string, string]> = [
      ['missing field', { redirect_success_link: undefined }, 'redirect_success_link', 'missing_field'],
      ['javascript: link', { redirect_success_link: 'javascript:alert(1)' }, 'redirect_success_link', 'invalid_field'],
      ['data: link', { redirect_fail_link: 'data:text/html,<script>1</script>' }, 'redirect_fail_link', 'invalid_field'],
      ['credentials in link', { redirect_success_link: 'https://user:pw@front.lite.gallery/' }, 'redirect_success_link', 'invalid_field'],
      ['link to another host', { redirect_fail_link: 'https://evil.example/' }, 'redirect_fail_link', 'invalid_field'],
      ['link not a URL', { redirect_success_link: 'front.lite.gallery/done' }, 'redirect_success_link', 'invalid_field'],
      ['link not a string', { redirect_success_link: 42 }, 'redirect_success_link', 'invalid_field'],
      ['archive on another host', { archive_url: 'https://evil.example/g/api/stream/1/f9d24b1dfb81a1bf' }, 'archive_url', 'invalid_field'],
      ['archive with a wrong path', { archive_url: 'https://arch-d.lite.gallery/download/858329' }, 'archive_url', 'invalid_field'],
      ['archive over ftp', { archive_url: 'ftp://arch-d.lite.gallery/g/api/stream/1/f9d24b1dfb81a1bf' }, 'archive_url', 'invalid_field'],
      ['blank gallery name', { gallery_name: '   ' }, 'gallery_name', 'invalid_field'],
      ['control character in name', { gallery_name: 'a\u0007b' }, 'gallery_name', 'invalid_field'],
      ['name too long', { gallery_name: 'x'.repeat(256) }, 'gallery_name', 'invalid_field'],
      ['half a surrogate pair in name', { gallery_name: 'a\ud800b' }, 'gallery_name', 'invalid_field'],
      ['link too long once percent-encoded', { redirect_success_link: `https://front.lite.gallery/${'я'.repeat(100)}` }, 'redirect_success_link', 'invalid_field'],
      ['unknown archive type', { archive_type: 'raw' }, 'archive_type', 'invalid_field'],
      ['unknown cloud type', { cloud_type: 'dropbox' }, 'cloud_type', 'invalid_field'],
      ['two bad fields: the first is named', { archive_type: 'raw', redirect_fail_link: 'javascript:x' }, 'redirect_fail_link', 'invalid_field'],
    ];
    for (const [name, patch, field, error] of invalid) {
      test(`400 for ${name}`, async () => {
        const res = await post({ ...validBody, ...patch });
        assert.equal(res.status, 400);
        const body = (await res.json()) as { error: string; field: string; message: string };
        assert.equal(body.error, error);
        assert.equal(body.field, field);
        assert.match(body.message, new RegExp(`^${field} `));
      });
    }

    test('400 invalid_body for a JSON array', async () => {
      const res = await post([validBody]);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: 'invalid_body', message: 'The request body must be a JSON object.' });
    });

    test('400 invalid_json for malformed JSON', async () => {
      const res = await post('{"redirect_success_link": ');
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_json');
    });

    test('413 for a body over 16 KiB', async () => {
      const res = await post({ ...validBody, padding: 'x'.repeat(17 * 1024) });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: string }).error, 'payload_too_large');
    });

    test('415 for a body that is not JSON', async () => {
      const res = await post(new URLSearchParams(validBody).toString(), 'application/x-www-form-urlencoded');
      assert.equal(res.status, 415);
      assert.equal(((await res.json()) as { error: string }).error, 'unsupported_media_type');
    });

    test('501 for yadisk when this server has no Yandex client', async () => {
      const res = await post({ ...validBody, cloud_type: 'yadisk' });
      assert.equal(res.status, 501);
      const body = (await res.json()) as { error: string; field: string };
      assert.equal(body.error, 'cloud_type_not_supported');
      assert.equal(body.field, 'cloud_type');
    });
  });

  describe(`GET ${OAUTH_CALLBACK_PATH}`, () => {
    test('a tampered state gets an HTML error page, not a redirect', async () => {
      const state = stateFor();
      const tampered = state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const cases: Array<Record<string, string>> = [{ state: tampered, code: 'c' }, { code: 'c' }, { state: 'v1.garbage', code: 'c' }];
      for (const params of cases) {
        const res = await callback(params);
        assert.equal(res.status, 400);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
        assert.equal(res.headers.get('location'), null);
        assert.match(await res.text(), /This link is invalid or has been tampered with/);
      }
      assert.equal(google.tokenRequests.length, 0);
    });

    test('an expired state goes to the fail link with reason=expired', async () => {
      const res = await callback({ state: stateFor({ exp: Math.floor(Date.now() / 1000) - 1 }), code: 'c' });
      assert.equal(failReason(res), 'expired');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    });

    test('consent denied, other OAuth errors and a missing code go to the fail link', async () => {
      assert.equal(failReason(await callback({ state: stateFor(), error: 'access_denied' })), 'access_denied');
      assert.equal(failReason(await callback({ state: stateFor(), error: 'server_error' })), 'oauth_error');
      assert.equal(failReason(await callback({ state: stateFor() })), 'invalid_request');
      assert.equal(google.tokenRequests.length, 0);
    });

    test('a failed code exchange goes to the fail link with reason=token_exchange_failed', async () => {
      google.reply = { status: 400, body: { error: 'invalid_grant', error_description: 'Bad Request' } };
      assert.equal(failReason(await callback({ state: stateFor(), code: 'used-code' })), 'token_exchange_failed');
    });

    test('a grant without Drive scope is revoked and goes to the fail link', async () => {
      google.reply = {
        status: 200,
        body: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, scope: 'openid email', token_type: 'Bearer', expires_in: 3599 },
      };
      const revoked = google.nextRevoke();
      assert.equal(failReason(await callback({ state: stateFor(), code: 'c' })), 'scope_not_granted');
      await revoked;
      assert.deepEqual(google.revoked, [REFRESH_TOKEN]);
      assert.equal(await channel.get(config.AMQP_QUEUE, { noAck: true }), false, 'nothing was queued');
    });

    test('a grant without a refresh token is revoked and goes to the fail link', async () => {
      google.reply = { status: 200, body: { access_token: ACCESS_TOKEN, scope: DRIVE_FILE, token_type: 'Bearer', expires_in: 3599 } };
      const revoked = google.revoked.length;
      assert.equal(failReason(await callback({ state: stateFor(), code: 'c' })), 'no_refresh_token');
      assert.deepEqual(google.revoked.slice(revoked), [ACCESS_TOKEN], 'revoked before the redirect');
    });

    test('the same state a second time (another approval of the link) is already_used, and its grant is revoked', async () => {
      const { state, transferId } = await consent();
      google.reply = { status: 200, body: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, scope: DRIVE_FILE } };
      const first = await callback({ state, code: 'first-code' });
      assert.equal(new URL(first.headers.get('location')!).searchParams.get('transfer_id'), transferId);
      const secondGrant = `1//second-${randomUUID()}`;
      google.reply = { status: 200, body: { access_token: `ya29.second-${randomUUID()}`, refresh_token: secondGrant, scope: DRIVE_FILE } };
      const revoked = google.revoked.length;
      assert.equal(failReason(await callback({ state, code: 'second-code' })), 'already_used');
      assert.deepEqual(google.revoked.slice(revoked), [secondGrant], 'revoked before the redirect');
      const job = await channel.get(config.AMQP_QUEUE, { noAck: true });
      assert.ok(job, 'the first approval queued its job');
      assert.equal(await channel.get(config.AMQP_QUEUE, { noAck: true }), false, 'the second queued nothing');
    });

    test('links with odd query strings and fragments come back byte for byte, with our parameters added', async () => {
      const success = 'https://front.lite.gallery/done?a=1&a=2&q=x+y&e=%2F%26%zz&flag&=v&transfer_id=old#frag?x=1&y';
      const fail = 'https://front.lite.gallery/failed?lang=ru&lang=en&r%65ason=x&b=%E2%9C%93#a&b';
      const start = async () => {
        const res = await post({ ...validBody, redirect_success_link: success, redirect_fail_link: fail });
        assert.equal(res.status, 200);
        const { redirect_to, transfer_id } = (await res.json()) as { redirect_to: string; transfer_id: string };
        return { state: new URL(redirect_to).searchParams.get('state')!, transferId: transfer_id };
      };

      const denied = await start();
      const failed = await callback({ state: denied.state, error: 'access_denied' });
      assert.equal(failed.headers.get('location'), `https://front.lite.gallery/failed?lang=ru&lang=en&b=%E2%9C%93&reason=access_denied&transfer_id=${denied.transferId}#a&b`);

      const allowed = await start();
      google.reply = {
        status: 200,
        body: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, scope: DRIVE_FILE, token_type: 'Bearer', expires_in: 3599 },
      };
      const succeeded = await callback({ state: allowed.state, code: '4/auth-code', scope: DRIVE_FILE });
      assert.equal(succeeded.headers.get('location'), `https://front.lite.gallery/done?a=1&a=2&q=x+y&e=%2F%26%zz&flag&=v&transfer_id=${allowed.transferId}#frag?x=1&y`);
      assert.ok(await channel.get(config.AMQP_QUEUE, { noAck: true }), 'its job, taken off the queue');
    });

    test('a successful exchange queues a sealed job, then redirects to the success link', async () => {
      const { state, transferId, challenge } = await consent();
      google.reply = {
        status: 200,
        body: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, scope: `${DRIVE_FILE} openid`, token_type: 'Bearer', expires_in: 3599 },
      };
      const sent = google.tokenRequests.length;
      const res = await callback({ state, code: '4/auth-code', scope: DRIVE_FILE });

      assert.equal(res.status, 302);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const location = new URL(res.headers.get('location')!);
      assert.equal(`${location.origin}${location.pathname}`, 'https://front.lite.gallery/done');
      assert.equal(location.searchParams.get('lang'), 'ru');
      assert.equal(location.searchParams.get('transfer_id'), transferId);
      assert.equal(location.hash, '#top');

      const tokenRequest = google.tokenRequests[sent]!;
      assert.equal(tokenRequest.get('grant_type'), 'authorization_code');
      assert.equal(tokenRequest.get('code'), '4/auth-code');
      assert.equal(tokenRequest.get('client_id'), 'test-client.apps.googleusercontent.com');
      assert.equal(tokenRequest.get('client_secret'), 'test-client-secret');
      assert.equal(tokenRequest.get('redirect_uri'), `https://api.example.test${OAUTH_CALLBACK_PATH}`);
      assert.equal(createHash('sha256').update(tokenRequest.get('code_verifier')!).digest('base64url'), challenge);

      // The confirm came before the redirect, so the job is already in the queue.
      const message = await channel.get(config.AMQP_QUEUE, { noAck: true });
      assert.ok(message, 'the job is in the queue');
      assert.equal(message.properties.messageId, transferId);
      assert.equal(message.properties.deliveryMode, 2);
      assert.equal(message.properties.contentType, 'application/json');
      const raw = message.content.toString();
      assert.ok(!raw.includes(REFRESH_TOKEN) && !raw.includes(ACCESS_TOKEN), 'no token in plain text');
      const job = transferJobSchema.parse(JSON.parse(raw));
      assert.equal(job.transfer_id, transferId);
      assert.equal(job.gallery_id, '858329');
      assert.equal(job.gallery_name, 'Свадьба A & B');
      assert.equal(job.archive_url, ARCHIVE_URL);
      assert.equal(job.archive_type, 'webs');
      assert.equal(job.cloud_type, 'google_drive');
      assert.equal(sealer.open('refresh-token', job.sealed_refresh_token), REFRESH_TOKEN);

      const logs = logLines.join('');
      for (const secret of [REFRESH_TOKEN, ACCESS_TOKEN, '4/auth-code', state, job.sealed_refresh_token]) {
        assert.ok(!logs.includes(secret), `logs do not contain ${secret.slice(0, 12)}…`);
      }
    });

    test('a broker that cannot be reached: the grant is revoked, the fail link with reason=queue_unavailable', async () => {
      const down = new JobPublisher({ url: 'amqp://guest:guest@127.0.0.1:1', queue: config.AMQP_QUEUE, timeoutMs: 2000, logger });
      const app = http.createServer(createApp({ config, publisher: down, claim, logger, readiness: async () => readiness }));
      const appUrl = await listen(app);
      try {
        google.reply = { status: 200, body: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, scope: DRIVE_FILE } };
        const revoked = google.revoked.length;
        const res = await fetch(`${appUrl}${OAUTH_CALLBACK_PATH}?${new URLSearchParams({ state: stateFor(), code: 'c' })}`, {
          redirect: 'manual',
        });
        assert.equal(failReason(res), 'queue_unavailable');
        assert.deepEqual(google.revoked.slice(revoked), [REFRESH_TOKEN], 'the grant is revoked before the redirect');
      } finally {
        await close(app);
        await down.close();
      }
    });
  });

  describe('health and errors', () => {
    test('/healthz answers ok', async () => {
      const res = await fetch(`${base}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    });

    test('/readyz: 200 when both are up, 200 degraded without Temporal, 503 without RabbitMQ', async () => {
      readiness = { amqp: true, temporal: true };
      assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: 'ready', checks: readiness });
      readiness = { amqp: true, temporal: false };
      const degraded = await fetch(`${base}/readyz`);
      assert.equal(degraded.status, 200, 'jobs can still be queued');
      assert.equal(((await degraded.json()) as { status: string }).status, 'degraded');
      readiness = { amqp: false, temporal: true };
      const res = await fetch(`${base}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { error: string; message: string; checks: Readiness };
      assert.equal(body.error, 'not_ready');
      assert.match(body.message, /RabbitMQ/);
      assert.deepEqual(body.checks, { amqp: false, temporal: true });
      readiness = { amqp: true, temporal: true };
    });

    test('an unknown route is a JSON 404', async () => {
      const res = await fetch(`${base}/cloud_archive/nope`);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: string }).error, 'not_found');
    });
  });

  // Readiness against a real Temporal belongs to the end-to-end tests: a Temporal connect that cannot succeed
  // keeps this process alive for its whole connect timeout.
  test('startApi listens on an ephemeral port and closes', async () => {
    const apiConfig = testConfig({ PORT: '0' });
    const api = await startApi(apiConfig, logger);
    try {
      assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
    } finally {
      await api.close();
      await channel.deleteQueue(apiConfig.AMQP_QUEUE);
      await channel.deleteQueue(`${apiConfig.AMQP_QUEUE}.dead`);
      await channel.deleteExchange(`${apiConfig.AMQP_QUEUE}.dlx`);
    }
    await assert.rejects(fetch(`${api.url}/healthz`), 'no longer listening');
  });
});
