import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toOperation } from '../../src/api/transfers/operation';
import { freeFromQuota } from '../../src/providers/google-drive/provider';
import { Ledger } from '../../src/workflows/ledger';

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

describe('the ledger before the first write', () => {
  it('goes on when the space is unlimited, unknown or enough', () => {
    const ledger = new Ledger();
    assert.equal(ledger.checkSpace(100, null), false);
    assert.equal(ledger.checkSpace(100, 100), false);
    assert.equal(ledger.fatal, null);
    assert.equal(ledger.retryPending(), false);
  });

  it('stops a gallery that cannot fit: failed, retryable, carried across continue-as-new, cleared by a retry', () => {
    const ledger = new Ledger();
    assert.equal(ledger.checkSpace(100, 99), true);
    assert.match(ledger.fatal!, /needs 100 bytes, 99 are free/);
    assert.equal(ledger.outcomeOf(ledger.fatal!, 3), 'failed');
    assert.equal(ledger.retryPending(), true, 'retryFailed is accepted although no photo failed');
    assert.deepEqual(new Ledger(ledger.carried()).shortfall, { bytesNeeded: 100, bytesFree: 99 });
    ledger.takeRetryable();
    assert.deepEqual([ledger.shortfall, ledger.fatal, ledger.retryPending()], [null, null, false]);
  });
});

describe('the status of a transfer stopped for space', () => {
  it('names the code and both figures', () => {
    const base = { state: 'failed' as const, filesTotal: 3, filesDone: 0, filesFailed: 0, bytesTotal: 100, bytesDone: 0, folderUrl: null, startedAt: 't', updatedAt: 't', retryWindowEndsAt: 't2', error: 'not enough space' };
    const op = toOperation('abc', { ...base, shortfall: { bytesNeeded: 100, bytesFree: 99 } });
    assert.deepEqual([op.metadata.error_code, op.metadata.bytes_needed, op.metadata.bytes_free, op.error?.message], ['not_enough_space', 100, 99, 'not enough space']);
    assert.equal(toOperation('abc', base).metadata.error_code, undefined);
  });
});
