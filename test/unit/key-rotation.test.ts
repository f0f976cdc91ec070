import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config';
import { decodeJob } from '../../src/bridge/decode';
import { Providers } from '../../src/providers';
import { keyIdOf, Sealer } from '../../src/shared/crypto';
import { TransferError } from '../../src/shared/errors';
import { maskSecrets } from '../../src/shared/logger';
import { pkceFor } from '../../src/api/consent/pkce';
import { createHash } from 'node:crypto';

/** SECRET_KEY rotation around the Sealer: configuration, queued jobs, the worker's error, logs. */

const KEY_A = 'key-a-'.padEnd(44, 'a');
const KEY_B = 'key-b-'.padEnd(44, 'b');
const KEY_C = 'key-c-'.padEnd(44, 'c');
const BASE = {
  GOOGLE_CLIENT_ID: 'id',
  GOOGLE_CLIENT_SECRET: 'secret',
  COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
  CALLBACK_SECRET: 'callback-secret-16+',
  SECRET_KEY: KEY_B,
};

describe('SECRET_KEYS_PREVIOUS', () => {
  test('is optional, comma-separated, spaces and empty entries ignored', () => {
    assert.deepEqual(parseConfig(BASE).SECRET_KEYS_PREVIOUS, []);
    assert.deepEqual(parseConfig({ ...BASE, SECRET_KEYS_PREVIOUS: '' }).SECRET_KEYS_PREVIOUS, []);
    assert.deepEqual(parseConfig({ ...BASE, SECRET_KEYS_PREVIOUS: ` ${KEY_A} ,${KEY_C},` }).SECRET_KEYS_PREVIOUS, [KEY_A, KEY_C]);
  });

  test('a short, repeated or current key stops the start naming the variable and the entry, never the key', () => {
    const cases: Array<[string, RegExp]> = [
      [`${KEY_A},too-short`, /SECRET_KEYS_PREVIOUS: key 2 of 2 is 9 characters; each must be at least 32/],
      [`${KEY_A},${KEY_C},${KEY_A}`, /SECRET_KEYS_PREVIOUS: key 3 is the same as key 1/],
      [`${KEY_A},${KEY_B}`, /SECRET_KEYS_PREVIOUS: holds the current SECRET_KEY: list only the older keys/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseConfig({ ...BASE, SECRET_KEYS_PREVIOUS: value }), (err: Error) => {
        assert.match(err.message, message);
        for (const key of [KEY_A, KEY_B, KEY_C, 'too-short']) assert.ok(!err.message.includes(key), `the message shows a key: ${err.message}`);
        return true;
      });
    }
  });
});

describe('jobs in RabbitMQ', () => {
  const config = { GALLERY_API_URL: 'https://app.litegallery.io' };
  const job = (sealed: string) =>
    Buffer.from(
      JSON.stringify({
        v: 1,
        transfer_id: 'AbCdEfGhIjKlMnOpQrStUv',
        created_at: '2026-01-02T03:04:05.000Z',
        cloud_type: 'google_drive',
        archive_type: 'webs',
        archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
        gallery_id: '858329',
        gallery_name: 'G',
        sealed_refresh_token: sealed,
      }),
    );

  test('carry a v2 sealed token; v1 tokens of jobs queued before the change are still accepted', () => {
    const v2 = new Sealer(KEY_B).seal('refresh-token', '1//t');
    const v1 = 'v1.-MmI9Xy7neu3_OZkEpiJUwsKiOliBau_D3ShYW8DIBAGhj33_uADJVbHzHMdKZYqpWKp';
    for (const sealed of [v2, v1]) {
      const decoded = decodeJob(job(sealed), config);
      assert.ok(decoded.ok, JSON.stringify(decoded));
      assert.equal(decoded.input.sealedRefreshToken, sealed);
    }
    assert.deepEqual(decodeJob(job('1//plain-refresh-token'), config), { ok: false, reason: 'sealed_refresh_token: must be a sealed value (v2. or v1.)' });
  });
});

test('a worker without the key that sealed a transfer’s token fails it for good, naming the key id', () => {
  const sealed = new Sealer(KEY_A).seal('refresh-token', '1//refresh');
  const worker = new Providers(parseConfig(BASE), new Sealer(KEY_B));
  assert.throws(() => worker.forTransfer('google_drive', 'transfer-1', sealed), (err: unknown) => {
    assert.ok(err instanceof TransferError);
    assert.equal(err.code, 'refresh_token_unreadable');
    assert.equal(err.retryable, false);
    assert.ok(err.accountWide, 'the transfer stops instead of failing every photo alike');
    assert.equal(
      err.message,
      `the transfer's refresh token cannot be opened: sealed with key id ${keyIdOf(KEY_A)}, which this process does not hold ` +
        `(SECRET_KEY has key id ${keyIdOf(KEY_B)}, SECRET_KEYS_PREVIOUS is empty): add the key with that id to SECRET_KEYS_PREVIOUS`,
    );
    return true;
  });
  const rotated = new Providers(parseConfig({ ...BASE, SECRET_KEYS_PREVIOUS: KEY_A }), new Sealer(KEY_B, [KEY_A]));
  assert.doesNotThrow(() => rotated.forTransfer('google_drive', 'transfer-1', sealed));
});

test('logs mask v2 sealed values like v1 ones', () => {
  const sealed = new Sealer(KEY_A).seal('refresh-token', '1//refresh');
  assert.equal(maskSecrets(`token ${sealed} end`), 'token [redacted] end');
});

describe('a consent started before the rotation', () => {
  test('derives the same PKCE verifier at its callback: the key that sealed its state is used', () => {
    const before = new Sealer(KEY_A);
    const state = before.seal('oauth-state', 'transfer t-1');
    const started = pkceFor(before, 't-1');
    const after = new Sealer(KEY_B, [KEY_A]);
    const keyId = after.sealedWith(state) ?? undefined;
    assert.equal(keyId, keyIdOf(KEY_A));
    assert.equal(createHash('sha256').update(pkceFor(after, 't-1', keyId).codeVerifier).digest('base64url'), started.codeChallenge);
    // Without the key id the current key answers, which Google would refuse.
    assert.notEqual(pkceFor(after, 't-1').codeVerifier, started.codeVerifier);
  });

  test('a state sealed with a key this process no longer holds names the missing key id', () => {
    const state = new Sealer(KEY_A).seal('oauth-state', 'x');
    const now = new Sealer(KEY_B);
    assert.throws(() => pkceFor(now, 't-1', now.sealedWith(state) ?? undefined), new RegExp(keyIdOf(KEY_A)));
  });
});
