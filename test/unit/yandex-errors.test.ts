import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedError, UnauthorizedError } from '../../src/shared/errors';
import { classifyYandexError, toYandexError, YandexConflictError, YandexHttpError } from '../../src/providers/yandex-disk/errors';

const answer = (status: number, error?: string, retryAfter?: string) => new YandexHttpError(status, error, undefined, { 'retry-after': retryAfter });

test('429 is a rate limit with Retry-After; 401 asks for a refresh', () => {
  const limited = classifyYandexError(answer(429, 'TooManyRequestsError', '2'), 'x');
  assert.ok(limited instanceof RateLimitedError);
  assert.equal(limited.retryAfterMs, 2000);
  assert.ok(classifyYandexError(answer(401, 'UnauthorizedError'), 'x') instanceof UnauthorizedError);
});

test('5xx, 408 and 423 are retried; the account-level refusals are final and say why', () => {
  for (const s of [500, 502, 503, 504, 408, 423]) assert.equal(classifyYandexError(answer(s), 'x').retryable, true, String(s));
  const full = classifyYandexError(answer(507, 'InsufficientStorageError'), 'uploading "a.jpg"');
  assert.deepEqual([full.code, full.retryable], ['yadisk_storage_full', false]);
  assert.match(full.message, /Yandex Disk is full/);
  assert.deepEqual([classifyYandexError(answer(413), 'x').code, classifyYandexError(answer(413), 'x').retryable], ['yadisk_file_too_large', false]);
  const forbidden = classifyYandexError(answer(403, 'DiskUnsupportedUserAccountTypeError'), 'x');
  assert.deepEqual([forbidden.code, forbidden.retryable], ['yadisk_account_unsupported', false]);
  assert.equal(classifyYandexError(answer(403, 'ForbiddenError'), 'x').retryable, false);
  assert.deepEqual([full.accountWide, forbidden.accountWide, classifyYandexError(answer(413), 'x').accountWide], [true, true, false]);
});

test('409 keeps Yandex\u2019s name for the conflict', () => {
  const conflict = classifyYandexError(answer(409, 'DiskPathPointsToExistentDirectoryError'), 'x');
  assert.ok(conflict instanceof YandexConflictError);
  assert.equal(conflict.yandexError, 'DiskPathPointsToExistentDirectoryError');
});

test('transport failures are retryable', () => {
  const err = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
  const failure = toYandexError(err, 'x');
  assert.deepEqual([failure.code, failure.retryable], ['yadisk_network', true]);
  assert.match(failure.message, /ECONNRESET/);
});
