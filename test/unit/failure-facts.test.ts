import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reserveFor, targetOf } from '../../src/activities/targets';
import type { DestinationProvider } from '../../src/providers/types';
import { failureFacts } from '../../src/workflows/failure-facts';

test('a failure says its facts itself; the destination’s flags win over its code', () => {
  assert.deepEqual(failureFacts({ code: 'drive_storage_full', accountWide: false, targetSpent: true }), { accountWide: false, targetSpent: true });
  assert.deepEqual(failureFacts({ code: 'photos_quota', accountWide: true, targetSpent: false }), { accountWide: true, targetSpent: false });
});

test('a failure recorded before the flags is judged by its code, as it was then', () => {
  assert.deepEqual(failureFacts({ code: 'yadisk_storage_full' }), { accountWide: true, targetSpent: false });
  assert.deepEqual(failureFacts({ code: 'refresh_token_unreadable' }), { accountWide: true, targetSpent: false });
  assert.deepEqual(failureFacts({ code: 'verification_failed' }), { accountWide: false, targetSpent: true });
  assert.deepEqual(failureFacts({ code: 'source_not_found' }), { accountWide: false, targetSpent: false });
});

test('a destination without reserveTargets gets placeholders, and its requests no target', async () => {
  const pathBased = {} as DestinationProvider;
  const held = await reserveFor(pathBased, 3);
  assert.equal(held.length, 3);
  assert.deepEqual(held.map(targetOf), [undefined, undefined, undefined]);
  const idBased = { reserveTargets: async (n: number) => Array.from({ length: n }, (_, i) => `id-${i}`) } as DestinationProvider;
  assert.deepEqual((await reserveFor(idBased, 2)).map(targetOf), ['id-0', 'id-1']);
});
