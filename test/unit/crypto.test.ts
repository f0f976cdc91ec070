import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyIdOf, Sealer, SealError, signBody, verifySignature } from '../../src/shared/crypto';

const KEY_A = 'a'.repeat(40);
const KEY_B = 'b'.repeat(40);
const sealer = new Sealer(KEY_A);

/**
 * Sealed with SECRET_KEY = LEGACY_KEY by the code before key ids existed (`v1.`, commit c301770): such values are
 * in RabbitMQ jobs and workflow inputs when rotation support ships.
 */
const LEGACY_KEY = 'legacy-secret-key-sealed-before-key-ids';
const LEGACY_TOKEN = 'v1.-MmI9Xy7neu3_OZkEpiJUwsKiOliBau_D3ShYW8DIBAGhj33_uADJVbHzHMdKZYqpWKp';
const LEGACY_SESSION = 'v1.wyBXK6L2gBkNyzvAQoZP-YGpN1wf538UZNThvca6Sla31XxsZe7wPrKSA4TedvGmCtOdyDJjl5GgG7hX7Hdw_YsKb9IcUcAG8pdiCHVEcq2QpOpXVgN71m1HOrMi';

test('sealed values open with the same key and purpose only', () => {
  const sealed = sealer.seal('refresh-token', '1//secret-refresh-token');
  assert.ok(!sealed.includes('secret'));
  assert.equal(sealer.open('refresh-token', sealed), '1//secret-refresh-token');
  assert.throws(() => sealer.open('oauth-state', sealed), SealError);
  assert.throws(() => new Sealer('z'.repeat(40)).open('refresh-token', sealed), SealError);
});

test('a sealed value names its key by an id derived from the key, not the key', () => {
  const sealed = sealer.seal('oauth-state', '{}');
  const [version, id] = sealed.split('.');
  assert.equal(version, 'v2');
  assert.equal(id, keyIdOf(KEY_A));
  assert.match(id!, /^[\w-]{8}$/);
  assert.notEqual(keyIdOf(KEY_B), id);
  assert.deepEqual(new Sealer(KEY_B, [KEY_A]).keyIds, { current_key_id: keyIdOf(KEY_B), previous_key_ids: [keyIdOf(KEY_A)] });
});

test('after a rotation, values sealed with the previous key still open; new ones are sealed with the current key', () => {
  const beforeRotation = sealer.seal('refresh-token', '1//token-from-before');
  const rotated = new Sealer(KEY_B, ['c'.repeat(40), KEY_A]);
  assert.equal(rotated.open('refresh-token', beforeRotation), '1//token-from-before');
  const afterRotation = rotated.seal('refresh-token', '1//token-from-after');
  assert.equal(afterRotation.split('.')[1], keyIdOf(KEY_B));
  assert.equal(rotated.open('refresh-token', afterRotation), '1//token-from-after');
  assert.equal(new Sealer(KEY_B).open('refresh-token', afterRotation), '1//token-from-after');
});

test('v1 values (no key id) sealed before key ids existed open with the current key or a previous one', () => {
  assert.equal(new Sealer(LEGACY_KEY).open('refresh-token', LEGACY_TOKEN), '1//legacy-refresh-token');
  const rotated = new Sealer(KEY_B, [KEY_A, LEGACY_KEY]);
  assert.equal(rotated.open('refresh-token', LEGACY_TOKEN), '1//legacy-refresh-token');
  assert.equal(rotated.open('upload-session', LEGACY_SESSION), 'https://www.googleapis.com/upload/drive/v3/files?upload_id=legacy');
  assert.throws(() => new Sealer(KEY_B, [KEY_A]).open('refresh-token', LEGACY_TOKEN), { name: 'SealError', message: /with a key this process does not hold/ });
  assert.throws(() => rotated.open('oauth-state', LEGACY_TOKEN), SealError, 'the purpose is bound in v1 values too');
});

test('a key id this process does not hold is a SealError naming that id and the ids it holds', () => {
  const sealed = sealer.seal('refresh-token', '1//token');
  const withoutA = new Sealer(KEY_B, ['c'.repeat(40)]);
  assert.throws(() => withoutA.open('refresh-token', sealed), (err: unknown) => {
    assert.ok(err instanceof SealError);
    assert.equal(
      err.message,
      `sealed with key id ${keyIdOf(KEY_A)}, which this process does not hold (SECRET_KEY has key id ${keyIdOf(KEY_B)}, ` +
        `SECRET_KEYS_PREVIOUS ${keyIdOf('c'.repeat(40))}): add the key with that id to SECRET_KEYS_PREVIOUS`,
    );
    return true;
  });
  assert.throws(() => new Sealer(KEY_B).open('refresh-token', sealed), { name: 'SealError', message: /SECRET_KEYS_PREVIOUS is empty/ });
});

test('tampering is detected, also with the key id swapped for another held key', () => {
  const sealed = sealer.seal('oauth-state', '{"a":1}');
  const [, id, payload] = sealed.split('.');
  const raw = Buffer.from(payload!, 'base64url');
  raw[raw.length - 1]! ^= 1;
  assert.throws(() => sealer.open('oauth-state', `v2.${id}.${raw.toString('base64url')}`), { name: 'SealError', message: /failed authentication/ });
  assert.throws(() => new Sealer(KEY_B, [KEY_A]).open('oauth-state', `v2.${keyIdOf(KEY_B)}.${payload}`), { name: 'SealError', message: /failed authentication/ });
  assert.throws(() => sealer.open('oauth-state', `v1.${payload}`), SealError, 'the v2 header is authenticated: no downgrade to v1');
  for (const bad of ['v1.', 'v2.', `v2.${id}.`, `v2..${payload}`, `v2.${id}.${payload}.x`, `v3.${id}.${payload}`, 'garbage', '']) {
    assert.throws(() => sealer.open('oauth-state', bad), SealError, JSON.stringify(bad));
  }
  assert.throws(() => sealer.open('oauth-state', `v2.${id}.AAAA`), { name: 'SealError', message: /truncated/ });
});

test('the keys must be long and different', () => {
  assert.throws(() => new Sealer('short'), /at least 32 characters/);
  assert.throws(() => new Sealer(KEY_A, ['short']), /at least 32 characters/);
  assert.throws(() => new Sealer(KEY_A, [KEY_A]), /must all be different/);
  assert.throws(() => new Sealer(KEY_A, [KEY_B, KEY_B]), /must all be different/);
});

test('derived secrets: the same for the same key and input, a valid 43-character PKCE verifier, nothing else alike', () => {
  const verifier = sealer.derive('pkce-verifier', 'transfer-a');
  assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(new Sealer(KEY_A, ['z'.repeat(40)]).derive('pkce-verifier', 'transfer-a'), verifier, 'older keys play no part');
  assert.notEqual(sealer.derive('pkce-verifier', 'transfer-b'), verifier);
  assert.notEqual(new Sealer('z'.repeat(40)).derive('pkce-verifier', 'transfer-a'), verifier);
});

test('callback signature', () => {
  const sig = signBody('s'.repeat(20), '{"x":1}');
  assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  assert.ok(verifySignature('s'.repeat(20), '{"x":1}', sig));
  assert.ok(!verifySignature('s'.repeat(20), '{"x":2}', sig));
  assert.ok(!verifySignature('s'.repeat(20), '{"x":1}', undefined));
});
