import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freeFromQuota } from '../../src/providers/google-drive/provider';

describe('Drive storageQuota → free bytes', () => {
  it('is the limit less the usage, never below zero', () => {
    assert.equal(freeFromQuota({ limit: '16106127360', usage: '106127360' }), 16_000_000_000);
    assert.equal(freeFromQuota({ limit: '100', usage: '150' }), 0);
  });

  it('is unlimited (null) when Drive gives no limit', () => {
    assert.equal(freeFromQuota({ usage: '5' }), null);
    assert.equal(freeFromQuota({ limit: null, usage: '5' }), null);
  });
});
