import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { RunningApi, startApi } from '../../src/api/server';
import { parseConfig } from '../../src/config';
import { freePort } from '../../src/devtools/temporal-server';
import { Sealer } from '../../src/shared/crypto';
import { TransferInput, workflowIdFor } from '../../src/shared/types';
import { sampleFiles } from '../helpers/drive-tree';
import { ARCHIVE_HOST, FAIL_LINK, Stack, SUCCESS_LINK, startStack } from '../helpers/stack';

/**
 * A consent link (its sealed state) starts at most one transfer, and every grant that does not become that
 * transfer is given back: a second approval of the same link (Back button, a second account, a forwarded link),
 * a job that could not be queued. Real Temporal, RabbitMQ, bridge and worker; the Google (Drive, Photos) and Yandex
 * emulators.
 */

let stack: Stack;
let galleryCounter = 800000;
const extraApis: RunningApi[] = [];

before(async () => {
  stack = await startStack();
});
after(async () => {
  for (const api of extraApis) await api.close();
  await stack?.close();
});

/** Drive and Photos: one Google emulator, two consent flows (two callback paths, two sets of scopes). */
const google = {
  emulator: () => stack.google,
  refreshTokens: () => stack.google.issuedSecrets().refreshTokens,
  revoked: () => stack.google.revokedRefreshTokens(),
};

const DESTINATIONS = {
  google_drive: google,
  google_photos: google,
  yadisk: {
    emulator: () => stack.yandex,
    refreshTokens: () => stack.yandex.issuedSecrets().refreshTokens,
    revoked: () => stack.yandex.revokedTokens(),
  },
} as const;
type CloudType = keyof typeof DESTINATIONS;

function requestBody(cloudType: CloudType): Record<string, string> {
  const galleryId = String(galleryCounter++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files: sampleFiles({ small: 2, large: 0 }) });
  return {
    redirect_success_link: SUCCESS_LINK,
    redirect_fail_link: FAIL_LINK,
    archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`,
    gallery_name: `Once ${galleryId}`,
    archive_type: 'webs',
    cloud_type: cloudType,
  };
}

/**
 * The browser's part, approving one consent link twice: POST, then the consent page twice (the emulators
 * approve at once), which gives two callback URLs with two codes and the same state.
 */
async function approveTwice(apiUrl: string, body: Record<string, string>): Promise<{ transferId: string; callbacks: [string, string] }> {
  const res = await fetch(`${apiUrl}/cloud_archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  const { redirect_to, transfer_id } = (await res.json()) as { redirect_to: string; transfer_id: string };
  const approve = async () => {
    const consent = await fetch(redirect_to, { redirect: 'manual' });
    const location = consent.headers.get('location');
    assert.ok(location && new URL(location).searchParams.get('code'), `the consent page approved (HTTP ${consent.status})`);
    return location;
  };
  const callbacks: [string, string] = [await approve(), await approve()];
  assert.equal(new URL(callbacks[0]).searchParams.get('state'), new URL(callbacks[1]).searchParams.get('state'));
  return { transferId: transfer_id, callbacks };
}

/** Where our callback sends the browser. */
async function follow(callback: string): Promise<URL> {
  const res = await fetch(callback, { redirect: 'manual' });
  assert.equal(res.status, 302, `the callback redirects (HTTP ${res.status}: ${(await res.text()).slice(0, 200)})`);
  return new URL(res.headers.get('location')!);
}

/** The refresh token the transfer's workflow holds (its input, sealed). */
async function transferGrant(transferId: string): Promise<string> {
  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  await stack.result(transferId);
  const history = await handle.fetchHistory();
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  const input = JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString()) as TransferInput;
  return new Sealer(stack.config.SECRET_KEY).open('refresh-token', input.sealedRefreshToken);
}

/** The stack's counter of jobs the API queued (every role shares this process's registry). */
async function jobsQueued(): Promise<number> {
  const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
  return Number(/cloud_archive_jobs_published_total\{outcome="confirmed"\} (\d+)/.exec(text)?.[1] ?? 0);
}

/** Another API process on this stack's RabbitMQ queue and emulators, with some settings of its own. */
async function extraApi(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  for (const [emulator, path] of [[stack.google, 'google'], [stack.yandex, 'yandex']] as const) {
    const registered = emulator === stack.google ? `${stack.apiUrl}/cloud_archive/oauth/google/callback` : `${stack.apiUrl}/cloud_archive/oauth/yandex/callback`;
    const others = extraApis.map((api) => `${api.url}/cloud_archive/oauth/${path}/callback`);
    emulator.setOptions({ redirectUris: [registered, ...others, `${url}/cloud_archive/oauth/${path}/callback`] });
  }
  const api = await startApi(parseConfig({ ...stack.env, PORT: String(port), PUBLIC_URL: url, ...env }), pino({ level: 'silent' }));
  extraApis.push(api);
  return api.url;
}

/** Waits until `predicate` holds, or fails naming what it waited for. */
async function eventually(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a consent link is used once', () => {
  for (const cloudType of Object.keys(DESTINATIONS) as CloudType[]) {
    const destination = DESTINATIONS[cloudType];

    test(`${cloudType}: a second approval goes to the fail link (already_used), its grant is revoked, one transfer runs`, async () => {
      const tokensBefore = destination.refreshTokens().length;
      const queuedBefore = await jobsQueued();
      const { transferId, callbacks } = await approveTwice(stack.apiUrl, requestBody(cloudType));

      const first = await follow(callbacks[0]);
      assert.equal(`${first.origin}${first.pathname}`, new URL(SUCCESS_LINK).origin + new URL(SUCCESS_LINK).pathname);
      assert.equal(first.searchParams.get('transfer_id'), transferId);
      const second = await follow(callbacks[1]);
      assert.equal(`${second.origin}${second.pathname}`, FAIL_LINK);
      assert.equal(second.searchParams.get('reason'), 'already_used');

      const issued = destination.refreshTokens().slice(tokensBefore);
      assert.equal(issued.length, 2, 'two approvals, two grants');
      assert.ok(destination.revoked().includes(issued[1]!), 'the second grant is revoked by the time of the fail redirect');
      assert.equal(await jobsQueued(), queuedBefore + 1, 'one job queued');
      assert.equal(await transferGrant(transferId), issued[0], 'the transfer runs on the first grant');
    });
  }

  test('RabbitMQ unreachable: the fail link (queue_unavailable), and the grant is revoked', async () => {
    const apiUrl = await extraApi({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:1', AMQP_PUBLISH_TIMEOUT_MS: '1000' });
    const tokensBefore = stack.google.issuedSecrets().refreshTokens.length;
    const { callbacks } = await approveTwice(apiUrl, requestBody('google_drive'));
    const location = await follow(callbacks[0]);
    assert.equal(`${location.origin}${location.pathname}`, FAIL_LINK);
    assert.equal(location.searchParams.get('reason'), 'queue_unavailable');
    const issued = stack.google.issuedSecrets().refreshTokens.slice(tokensBefore);
    assert.equal(issued.length, 1);
    assert.ok(stack.google.revokedRefreshTokens().includes(issued[0]!), 'the grant is revoked by the time of the fail redirect');
  });

  test('Temporal unreachable from the API: both approvals are queued, the bridge drops the copy and revokes its grant', async () => {
    // The API cannot claim the link, so it queues both jobs; the bridge starts one transfer and gives the other
    // grant back. Both users see the success link: the one thing not guaranteed while Temporal is out of reach.
    const apiUrl = await extraApi({ TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const tokensBefore = stack.google.issuedSecrets().refreshTokens.length;
    const { transferId, callbacks } = await approveTwice(apiUrl, requestBody('google_drive'));
    for (const callback of callbacks) assert.equal((await follow(callback)).searchParams.get('transfer_id'), transferId);
    const issued = stack.google.issuedSecrets().refreshTokens.slice(tokensBefore);
    assert.equal(issued.length, 2);
    const kept = await transferGrant(transferId);
    assert.ok(issued.includes(kept), 'the transfer runs on one of the two grants');
    const dropped = issued.find((t) => t !== kept)!;
    await eventually('the bridge to revoke the grant of the dropped job', () => stack.google.revokedRefreshTokens().includes(dropped));
  });
});
