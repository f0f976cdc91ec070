import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { temporalCliPath } from '../../src/devtools/temporal-server';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, assertTree, SpecFile, yandexNodes } from '../helpers/drive-tree';
import { Stack, startStack } from '../helpers/stack';
import { KiB, assertOneCallback, deferred, newGallery, rootCount } from './support';

/**
 * Fault 7 — secrets. A full transfer at LOG_LEVEL=debug (with a forced token expiry and a few upload errors, so the
 * error paths log too); then no access token, refresh token, authorization code or upload-session id the Google
 * emulator ever issued — nor the client secret, SECRET_KEY, SECRET_KEYS_PREVIOUS or CALLBACK_SECRET — appears in the
 * RabbitMQ message, the Temporal history (SDK and CLI views), the heartbeat details of a running upload, or any log
 * line of the API, the bridge and the worker process.
 */

const CHUNK = 256 * KiB;
let stack: Stack;

before(async () => {
  stack = await startStack({
    workerProcess: true,
    captureLogs: true,
    // A previous key too (as during a rotation): it must not leak either.
    env: { LOG_LEVEL: 'debug', MULTIPART_MAX_BYTES: String(CHUNK), UPLOAD_CHUNK_BYTES: String(CHUNK), SECRET_KEYS_PREVIOUS: randomBytes(32).toString('base64') },
  });
});
after(async () => stack?.close());

/** Every way a secret could be written down: as is, base64, base64url, URL-encoded. */
function forms(secret: string): string[] {
  return [...new Set([secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), encodeURIComponent(secret)])];
}

/**
 * JSON of a Temporal object with payload data (byte arrays, or base64 strings in the JSON form of a history)
 * also decoded to UTF-8 text, so what the payloads say is searchable.
 */
function readable(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (typeof v === 'string' && key === 'data' && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) return `${v} ${Buffer.from(v, 'base64').toString('utf8')}`;
    return v;
  });
}

test('no token reaches RabbitMQ, Temporal history, heartbeats or logs (LOG_LEVEL=debug)', async (t) => {
  const files: SpecFile[] = [
    { id: 7100001, name: 'Secrets/a.jpg', size: 30 * KiB },
    { id: 7100002, name: 'Secrets/b.jpg', size: 200 * KiB },
    { id: 7100003, name: 'c.jpg', size: 5 * KiB },
    { id: 7100004, name: 'Video/long.mp4', size: 6 * CHUNK + 777 },
  ];
  const body = newGallery(stack, files, 'Secret gallery');
  const transferId = await (async () => {
    // Hold the job in the queue to read the message exactly as the API published it.
    await stack.bridge.stop();
    const { transferId } = await stack.consent(body);
    assert.ok(transferId);
    return transferId;
  })();

  const connection = await amqp.connect(stack.config.AMQP_URL);
  const channel = await connection.createChannel();
  const message = await channel.get(stack.config.AMQP_QUEUE, { noAck: false });
  assert.ok(message, 'the job is in the queue');
  const queued = `${JSON.stringify(message.properties)}\n${JSON.stringify(message.fields)}\n${message.content.toString('utf8')}`;
  assert.match(message.content.toString('utf8'), /"sealed_refresh_token":"v2\./, 'the job carries the refresh token sealed');
  channel.nack(message, false, true); // back into the queue for the bridge
  await connection.close();

  // Errors on the way, so their log lines are checked too: a chunk and a multipart fail, every access token dies.
  stack.google.faults.add({ op: 'chunk', times: 1, action: { status: 500 } });
  stack.google.faults.add({ op: 'multipart', times: 1, action: { status: 503 } });
  let chunks = 0;
  const heartbeats = deferred<string>();
  let asked = false;
  stack.google.faults.add({
    op: 'chunk',
    times: 1,
    when: () => {
      if (++chunks !== 4) return false;
      stack.google.expireAllAccessTokens();
      return true;
    },
    action: { status: 401, reason: 'authError', message: 'Invalid Credentials' },
  });
  // Mid-upload (chunk 3 on its way; earlier ones checkpointed): what Temporal holds as the upload's heartbeat.
  stack.google.faults.add({
    op: 'chunk',
    times: 1,
    when: (ctx) => {
      if (asked || !ctx.range || ctx.range.start < 3 * CHUNK) return false;
      asked = true;
      stack.client.workflow.getHandle(workflowIdFor(transferId)).describe().then((d) => heartbeats.resolve(readable(d.raw)), () => heartbeats.resolve(''));
      return false;
    },
    action: { status: 500 },
  });

  await stack.bridge.start();
  const result = (await stack.result(transferId)) as { state: string };
  assert.equal(result.state, 'succeeded');
  assertDriveTree(stack.google, 'Secret gallery', files);
  assert.equal(rootCount(stack.google, 'Secret gallery'), 1);
  await assertOneCallback(stack, transferId, { status: 'succeeded', failed_photos: 0 });

  const handle = stack.client.workflow.getHandle(workflowIdFor(transferId));
  const history = readable(await handle.fetchHistory());
  const { stdout: cliJson } = await promisify(execFile)(
    temporalCliPath(),
    ['workflow', 'show', '--workflow-id', workflowIdFor(transferId), '--address', stack.config.TEMPORAL_ADDRESS, '--namespace', stack.config.TEMPORAL_NAMESPACE, '--output', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const cliHistory = readable(JSON.parse(cliJson));
  const heartbeat = await heartbeats.promise;
  const logs = stack.logs();

  const issued = stack.google.issuedSecrets();
  assert.ok(issued.refreshTokens.length >= 1 && issued.accessTokens.length >= 2 && issued.codes.length >= 1 && issued.uploadSessionIds.length >= 1);
  const secrets: Array<[string, string]> = [
    ...issued.accessTokens.map((s): [string, string] => ['access token', s]),
    ...issued.refreshTokens.map((s): [string, string] => ['refresh token', s]),
    ...issued.codes.map((s): [string, string] => ['authorization code', s]),
    ...issued.uploadSessionIds.map((s): [string, string] => ['upload session id', s]),
    ['GOOGLE_CLIENT_SECRET', stack.config.GOOGLE_CLIENT_SECRET],
    ['SECRET_KEY', stack.config.SECRET_KEY],
    ...stack.config.SECRET_KEYS_PREVIOUS.map((s): [string, string] => ['SECRET_KEYS_PREVIOUS', s]),
    ['CALLBACK_SECRET', stack.config.CALLBACK_SECRET],
  ];
  const places: Array<[string, string]> = [
    ['RabbitMQ message', queued],
    ['Temporal history (SDK)', history],
    ['Temporal history (temporal workflow show --output json)', cliHistory],
    ['heartbeat details of the running upload', heartbeat],
    ['logs of API, bridge and worker process', logs],
  ];
  // The places hold what we expect them to hold, so an empty capture cannot pass for a clean one.
  const holds = (text: string, pattern: RegExp, what: string) => assert.ok(pattern.test(text), `${what} (${text.length} chars: ${text.slice(0, 300)}…)`);
  holds(history, /sealedRefreshToken/, 'the history was read with its payloads');
  holds(cliHistory, /sealedRefreshToken/, 'the CLI showed the payloads');
  holds(heartbeat, /\\?"session\\?":\\?"v2\./, 'a sealed upload session was heartbeated');
  holds(logs, /"role":"worker"/, 'worker process logs were captured');
  holds(logs, /"level":"debug"/, 'debug lines were captured');
  holds(logs, /"role":"api"/, 'API logs were captured');
  holds(logs, /"role":"bridge"/, 'bridge logs were captured');

  const leaks: string[] = [];
  for (const [what, secret] of secrets) {
    for (const [place, text] of places) {
      if (forms(secret).some((f) => text.includes(f))) leaks.push(`${what} ${secret.slice(0, 12)}… in ${place}`);
    }
  }
  t.diagnostic(
    `checked ${secrets.length} secrets (${issued.accessTokens.length} access tokens, ${issued.refreshTokens.length} refresh tokens, ` +
      `${issued.codes.length} codes, ${issued.uploadSessionIds.length} upload sessions, 3 keys) in ${places.map(([p, s]) => `${p} (${s.length} chars)`).join(', ')}`,
  );
  assert.deepEqual(leaks, [], 'secrets leaked');
});

test('Yandex Disk too: no Yandex token, code or upload link reaches RabbitMQ, Temporal history or logs', async (t) => {
  const files: SpecFile[] = [
    { id: 7100101, name: 'Ya/a.jpg', size: 30 * KiB },
    { id: 7100102, name: 'Ya/b.jpg', size: 200 * KiB },
    { id: 7100103, name: 'c.jpg', size: 5 * KiB },
  ];
  const body = { ...newGallery(stack, files, 'Secret Yandex gallery'), cloud_type: 'yadisk' };
  await stack.bridge.stop();
  const { transferId } = await stack.consent(body);
  assert.ok(transferId);
  const connection = await amqp.connect(stack.config.AMQP_URL);
  const channel = await connection.createChannel();
  const message = await channel.get(stack.config.AMQP_QUEUE, { noAck: false });
  assert.ok(message, 'the job is in the queue');
  const queued = message.content.toString('utf8');
  channel.nack(message, false, true);
  await connection.close();

  // Error paths log too: Yandex's fetch fails once and is refused once (that photo is then streamed through an
  // upload link), and every access token dies mid-way.
  stack.yandex.faults.add({ op: 'uploadByUrl', times: 1, action: { status: 503 } });
  stack.yandex.faults.add({ op: 'uploadByUrl', times: 1, action: { status: 403, error: 'ForbiddenError' } });
  let calls = 0;
  stack.yandex.faults.add({ op: '*', times: 1, when: (ctx) => ctx.op === 'getResource' && ++calls === 2 && (stack.yandex.expireAllAccessTokens(), false), action: { status: 500 } });
  await stack.bridge.start();
  const result = (await stack.result(transferId)) as { state: string };
  assert.equal(result.state, 'succeeded');
  assertTree(yandexNodes(stack.yandex), 'Secret Yandex gallery', files);

  const history = readable(await stack.client.workflow.getHandle(workflowIdFor(transferId)).fetchHistory());
  const logs = stack.logs();
  const issued = stack.yandex.issuedSecrets();
  assert.ok(issued.refreshTokens.length >= 1 && issued.accessTokens.length >= 2 && issued.codes.length >= 1 && issued.uploadHrefs.length >= 1);
  const secrets: Array<[string, string]> = [
    ...issued.accessTokens.map((s): [string, string] => ['access token', s]),
    ...issued.refreshTokens.map((s): [string, string] => ['refresh token', s]),
    ...issued.codes.map((s): [string, string] => ['authorization code', s]),
    ...issued.uploadHrefs.map((s): [string, string] => ['upload link', s]),
    ['YANDEX_CLIENT_SECRET', stack.config.YANDEX_CLIENT_SECRET!],
  ];
  assert.match(history, /sealedRefreshToken/, 'the history was read with its payloads');
  assert.match(logs, /"cloud_type":"yadisk"/, 'the logs of this transfer were captured');
  const leaks: string[] = [];
  for (const [what, secret] of secrets) {
    for (const [place, text] of [['RabbitMQ message', queued], ['Temporal history', history], ['logs', logs]] as const) {
      if (forms(secret).some((f) => text.includes(f))) leaks.push(`${what} ${secret.slice(0, 12)}… in ${place}`);
    }
  }
  t.diagnostic(`checked ${secrets.length} Yandex secrets (${issued.accessTokens.length} access tokens, ${issued.uploadHrefs.length} upload links)`);
  assert.deepEqual(leaks, [], 'secrets leaked');
});
