import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanSummary, UnitFile } from '../../src/activities/types';
import { Ledger, MAX_FAILURES_KEPT, totalOf } from '../../src/workflows/ledger';

const file = (index: number, folder = ''): UnitFile => ({ index, sourceId: index, folder, folderIndex: -1, name: `${index}.jpg`, url: 'u', size: 10, crc: '00000000', target: `t${index}`, parentId: 'root' });
const ok = (index: number) => ({ index, ok: true as const, bytes: 10, bytesSent: 12 });
const bad = (index: number, code = 'source_not_found') => ({ index, ok: false as const, code, reason: `${code} for ${index}` });

function plan(filesTotal: number, rejected: number, listed = rejected): PlanSummary {
  return {
    fingerprint: 'f',
    filesTotal,
    bytesTotal: filesTotal * 10,
    pageCount: 1,
    folderCount: 0,
    rejected: Array.from({ length: listed }, (_, i) => ({ name: `bad${i}`, reason: 'unsafe name' })),
    rejectedCount: rejected,
    settings: {} as PlanSummary['settings'],
  } as PlanSummary;
}

test('outcomes are counted; a failure keeps its folder path, code and reserved target', () => {
  const ledger = new Ledger();
  ledger.record(ok(0), file(0));
  ledger.record(bad(1), file(1, 'Album'));
  assert.deepEqual(ledger.counts, { done: 1, failed: 1, bytesDone: 10, bytesSent: 12 });
  assert.deepEqual(ledger.failures, [{ index: 1, name: 'Album/1.jpg', code: 'source_not_found', reason: 'source_not_found for 1', target: 't1', targetSpent: false }]);
  assert.equal(ledger.fatal, null);
  assert.equal(ledger.outcomeOf(undefined, 2), 'partially_failed');
});

test('an account-wide code (an outcome without the flags, as recorded before them) stops the transfer with the first such reason', () => {
  const ledger = new Ledger();
  ledger.record(bad(0, 'drive_storage_full'), file(0));
  ledger.record(bad(1, 'auth_revoked'), file(1));
  assert.equal(ledger.fatal, 'drive_storage_full for 0');
});

test('the destination’s flags decide, whatever the code: account-wide stops, a spent target is recorded', () => {
  const ledger = new Ledger();
  ledger.record({ ...bad(0, 'drive_storage_full'), accountWide: false, targetSpent: false }, file(0));
  assert.equal(ledger.fatal, null);
  ledger.record({ ...bad(1, 'verification_failed'), accountWide: false, targetSpent: true }, file(1));
  ledger.record({ ...bad(2, 'photos_quota_exhausted'), accountWide: true, targetSpent: false }, file(2));
  assert.equal(ledger.fatal, 'photos_quota_exhausted for 2');
  assert.deepEqual(ledger.failures.map((f) => f.targetSpent), [false, true, false]);
});

test('rejected listing entries fail from the start, are counted beyond those listed, and are never retryable', () => {
  const ledger = new Ledger();
  const p = plan(5, 3, 2);
  ledger.rejected(p);
  assert.equal(totalOf(p), 8);
  assert.equal(ledger.counts.failed, 3);
  assert.equal(ledger.failures.length, 2);
  assert.deepEqual(ledger.retryable(), []);
});

test('taking the retryable failures removes them from the books and clears a stop', () => {
  const ledger = new Ledger();
  ledger.rejected(plan(3, 1));
  ledger.record(bad(0, 'drive_storage_full'), file(0));
  ledger.record(ok(1), file(1));
  const { again, resume } = ledger.takeRetryable();
  assert.deepEqual(again.map((f) => f.index), [0]);
  assert.equal(resume, null);
  assert.equal(ledger.counts.failed, 1);
  assert.equal(ledger.failures.length, 1);
  assert.equal(ledger.fatal, null);
});

test('after a stop, the photos never attempted count as failed in one entry with the reason', () => {
  const ledger = new Ledger();
  ledger.record(ok(0), file(0));
  ledger.record(bad(1, 'auth_revoked'), file(1));
  ledger.notAttempted(10);
  assert.equal(ledger.counts.failed, 9);
  assert.deepEqual(ledger.failures.at(-1), { index: null, name: '(8 photo(s) not attempted)', code: 'transfer_stopped', reason: 'auth_revoked for 1' });
});

test('after a stop, the unstarted files of the page fail one by one and the pages never loaded are a resume point', () => {
  const ledger = new Ledger();
  ledger.record(ok(0), file(0));
  ledger.record(bad(1, 'auth_revoked'), file(1));
  ledger.stopped([file(2), file(3)], 1, 10);
  assert.equal(ledger.counts.failed, 9);
  assert.deepEqual(ledger.resume, { page: 1, files: 6 });
  assert.deepEqual(ledger.failures.map((f) => [f.index, f.code, f.target ?? null]), [[1, 'auth_revoked', 't1'], [2, 'transfer_stopped', 't2'], [3, 'transfer_stopped', 't3'], [null, 'transfer_stopped', null]]);
  assert.equal(ledger.retryableCount(), 9);
  const { again, resume } = ledger.takeRetryable();
  assert.deepEqual(again.map((f) => f.index), [1, 2, 3]);
  assert.deepEqual(resume, { page: 1, files: 6 });
  assert.deepEqual(ledger.counts, { done: 1, failed: 0, bytesDone: 10, bytesSent: 12 });
  assert.deepEqual(ledger.failures, []);
  assert.equal(ledger.retryableCount(), 0);
});

test('without a stop nothing is added for photos not attempted; a cancellation counts them as failed', () => {
  const ledger = new Ledger();
  ledger.record(ok(0), file(0));
  ledger.notAttempted(4);
  assert.equal(ledger.counts.failed, 0);
  ledger.cancelledRest(4);
  assert.equal(ledger.counts.failed, 3);
});

test(`failures beyond ${MAX_FAILURES_KEPT} are kept compact: paged by the query, retryable with their targets`, () => {
  const ledger = new Ledger();
  for (let i = 0; i < MAX_FAILURES_KEPT + 5; i++) ledger.record(bad(i), file(i));
  assert.equal(ledger.counts.failed, MAX_FAILURES_KEPT + 5);
  assert.equal(ledger.failures.length, MAX_FAILURES_KEPT);
  assert.deepEqual(ledger.more.kinds[0], ['source_not_found', `source_not_found for ${MAX_FAILURES_KEPT}`]);
  const tail = ledger.page(MAX_FAILURES_KEPT - 1, 3);
  assert.deepEqual(tail.map((f) => [f.index, f.code, f.target]), [[999, 'source_not_found', 't999'], [1000, 'source_not_found', 't1000'], [1001, 'source_not_found', 't1001']]);
  assert.equal(ledger.page(0, 5000).length, 1000, 'a page holds at most 1,000');
  assert.equal(ledger.retryableCount(), MAX_FAILURES_KEPT + 5);
  const carried = new Ledger(JSON.parse(JSON.stringify(ledger.carried())));
  const { again } = carried.takeRetryable();
  assert.equal(again.length, MAX_FAILURES_KEPT + 5);
  assert.equal(again.at(-1)!.target, `t${MAX_FAILURES_KEPT + 4}`);
  assert.deepEqual([carried.counts.failed, carried.retryableCount(), carried.page(0, 10).length], [0, 0, 0]);
});

test('distinct reasons beyond 100 take the first reason of their code', () => {
  const ledger = new Ledger();
  for (let i = 0; i < MAX_FAILURES_KEPT + 150; i++) ledger.record(bad(i), file(i));
  assert.equal(ledger.more.kinds.length, 100);
  assert.deepEqual(ledger.page(MAX_FAILURES_KEPT + 149, 1).map((f) => f.reason), [`source_not_found for ${MAX_FAILURES_KEPT}`]);
});

test('a transfer from before compact failures (keepAll false) only counts those beyond the list', () => {
  const ledger = new Ledger(undefined, () => false);
  for (let i = 0; i < MAX_FAILURES_KEPT + 5; i++) ledger.record(bad(i), file(i));
  assert.equal(ledger.counts.failed, MAX_FAILURES_KEPT + 5);
  assert.equal(ledger.retryableCount(), MAX_FAILURES_KEPT);
  assert.equal(ledger.carried().more, undefined);
});

test('the outcome: failed only when nothing was copied; a stop after some were copied is partially_failed', () => {
  const ledger = new Ledger();
  assert.equal(ledger.outcomeOf(undefined, 0), 'succeeded');
  assert.equal(ledger.outcomeOf('the listing cannot be read', 0), 'failed');
  ledger.record(bad(0), file(0));
  assert.equal(ledger.outcomeOf(undefined, 1), 'failed');
  ledger.record(ok(1), file(1));
  assert.equal(ledger.outcomeOf(undefined, 2), 'partially_failed');
  assert.equal(ledger.outcomeOf('the Drive is full', 10), 'partially_failed');
});

test('carried state round-trips into a new ledger', () => {
  const ledger = new Ledger();
  ledger.record(ok(0), file(0));
  ledger.record(bad(1, 'auth_revoked'), file(1));
  const copy = new Ledger(JSON.parse(JSON.stringify(ledger.carried())));
  assert.deepEqual(copy.carried(), ledger.carried());
});
