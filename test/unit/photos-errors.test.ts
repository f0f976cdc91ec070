import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as google from '../../src/emulators/google/photos/errors';
import { classifyPhotosError, toPhotosError } from '../../src/providers/google-photos/errors';
import { itemFileName, rootTitle, titleOf } from '../../src/providers/google-photos/titles';
import { RateLimitedError, UnauthorizedError } from '../../src/shared/errors';

/** The Library API's answers, as the emulator words them (after Google's), through our classifier. */
function classify(error: google.PhotosError) {
  const reply = error.toReply();
  return classifyPhotosError(reply.status, JSON.parse(String(reply.body)), reply.headers ?? {}, 'adding photos');
}

test('the per-user write limit is waited out (with Retry-After); the daily project quota is not a rate limit', () => {
  const limited = classify(google.writeQuotaExceeded(3));
  assert.ok(limited instanceof RateLimitedError);
  assert.equal(limited.retryAfterMs, 3000);
  assert.ok(classify(google.concurrentWrite()) instanceof RateLimitedError, 'a second batchCreate in flight');
  const daily = classify(google.dailyQuotaExceeded(10_000));
  assert.ok(!(daily instanceof RateLimitedError));
  assert.deepEqual([daily.code, daily.retryable], ['gphotos_daily_quota', true]);
});

test('a full account and a missing scope stop the transfer; 401 asks for a refresh', () => {
  const full = classify(google.storageFull());
  assert.deepEqual([full.code, full.retryable, full.accountWide], ['gphotos_storage_full', false, true]);
  const scope = classify(google.insufficientScopes());
  assert.deepEqual([scope.code, scope.retryable, scope.accountWide], ['gphotos_scope_missing', false, true]);
  assert.ok(classify(google.unauthenticated()) instanceof UnauthorizedError);
});

test('a spent upload token is told apart from other bad requests; 5xx and transport failures are retried', () => {
  assert.equal(classify(google.invalidUploadToken()).code, 'gphotos_upload_token_invalid');
  const bad = classify(google.invalidArgument('The provided ID does not match any albums.'));
  assert.deepEqual([bad.code, bad.retryable], ['gphotos_bad_request', false]);
  assert.match(bad.message, /does not match any albums/);
  for (const status of [500, 503, 504, 409]) assert.equal(classify(google.injectedPhotosError(status)).retryable, true, String(status));
  const reset = toPhotosError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x');
  assert.deepEqual([reset.code, reset.retryable], ['gphotos_network', true]);
});

test('album titles: "<gallery> — a / b", at most 500 code points; item names keep their extension', () => {
  assert.equal(titleOf('Wedding', 'Ceremony/Rings/Close-ups'), 'Wedding — Ceremony / Rings / Close-ups');
  const long = rootTitle('é'.repeat(600));
  assert.equal([...long].length, 500);
  assert.notEqual(titleOf(long, 'a'), titleOf(long, 'b'), 'a truncated stem still gives distinct albums');
  const name = itemFileName(`Album/${'x'.repeat(300)}.jpeg`);
  assert.equal([...name].length, 255);
  assert.ok(name.endsWith('.jpeg'));
});
