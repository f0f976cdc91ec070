import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedError } from '../../src/shared/errors';
import { classifyDriveError } from '../../src/providers/google-drive/errors';
import { retryAfterMs } from '../../src/providers/retry-after';

const body = (code: number, reason: string) => ({ error: { code, message: 'm', errors: [{ domain: 'usageLimits', reason, message: 'm' }] } });

test('rate limits are their own kind, with Retry-After when given', () => {
  const e = classifyDriveError(403, body(403, 'userRateLimitExceeded'), { 'retry-after': '3' }, 'x');
  assert.ok(e instanceof RateLimitedError);
  assert.equal((e as RateLimitedError).retryAfterMs, 3000);
  assert.ok(classifyDriveError(403, body(403, 'rateLimitExceeded'), {}, 'x') instanceof RateLimitedError);
  assert.ok(classifyDriveError(429, body(429, 'rateLimitExceeded'), {}, 'x') instanceof RateLimitedError);
});

test('permanent 403s are not retried and say what to do', () => {
  const full = classifyDriveError(403, body(403, 'storageQuotaExceeded'), {}, 'uploading "a.jpg"');
  assert.equal(full.code, 'drive_storage_full');
  assert.equal(full.retryable, false);
  assert.match(full.message, /Drive is full/);
  assert.equal(classifyDriveError(403, body(403, 'somethingNew'), {}, 'x').retryable, false);
});

test('the refusals about the whole account are flagged account-wide; those about one item are not', () => {
  const flag = (reason: string) => classifyDriveError(403, body(403, reason), {}, 'x').accountWide;
  for (const reason of ['storageQuotaExceeded', 'quotaExceeded', 'dailyLimitExceeded', 'insufficientPermissions', 'domainPolicy']) assert.equal(flag(reason), true, reason);
  for (const reason of ['appNotAuthorizedToFile', 'numChildrenInNonRootLimitExceeded', 'somethingNew']) assert.equal(flag(reason), false, reason);
  assert.equal(classifyDriveError(404, '', {}, 'x').accountWide, false);
});

test('5xx and 408 are retryable, 4xx are not, 401 asks for a refresh', () => {
  for (const s of [500, 502, 503, 504, 408]) assert.equal(classifyDriveError(s, '', {}, 'x').retryable, true, String(s));
  for (const s of [400, 404, 409, 413]) assert.equal(classifyDriveError(s, '', {}, 'x').retryable, false, String(s));
  assert.equal(classifyDriveError(401, '', {}, 'x').code, 'drive_unauthorized');
});

test('Retry-After as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now), 5000);
  assert.equal(retryAfterMs({ 'retry-after': 'soon' }, now), undefined);
  assert.equal(retryAfterMs({}, now), undefined);
});
