import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sealer, SealError, signBody, verifySignature } from '../../src/shared/crypto';

const sealer = new Sealer('k'.repeat(40));

test('sealed values open with the same key and purpose only', () => {
  const sealed = sealer.seal('refresh-token', '1//secret-refresh-token');
  assert.ok(!sealed.includes('secret'));
  assert.equal(sealer.open('refresh-token', sealed), '1//secret-refresh-token');
  assert.throws(() => sealer.open('oauth-state', sealed), SealError);
  assert.throws(() => new Sealer('z'.repeat(40)).open('refresh-token', sealed), SealError);
});

test('tampering is detected', () => {
  const sealed = sealer.seal('oauth-state', '{"a":1}');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  raw[raw.length - 1]! ^= 1;
  assert.throws(() => sealer.open('oauth-state', `v1.${raw.toString('base64url')}`), SealError);
  assert.throws(() => sealer.open('oauth-state', 'v1.'), SealError);
  assert.throws(() => sealer.open('oauth-state', 'garbage'), SealError);
});

test('derived secrets: the same for the same key and input, a valid 43-character PKCE verifier, nothing else alike', () => {
  const verifier = sealer.derive('pkce-verifier', 'transfer-a');
  assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(new Sealer('k'.repeat(40)).derive('pkce-verifier', 'transfer-a'), verifier);
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
