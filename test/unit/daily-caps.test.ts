import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answeringDailyCap } from '../../src/activities/daily-cap';
import type { DailyCapped } from '../../src/activities/types';
import * as photosAnswers from '../../src/emulators/google/photos/errors';
import { ProviderCaller } from '../../src/providers/caller';
import { classifyDriveError } from '../../src/providers/google-drive/errors';
import { classifyPhotosError } from '../../src/providers/google-photos/errors';
import { nextPacificMidnight, photosQuotaResumesAt } from '../../src/providers/google-photos/quota-day';
import { Pacer } from '../../src/providers/pacer';
import { DAILY_LIMIT_SUSPECTED, RateLimitedError, TransferError } from '../../src/shared/errors';

/** Daily caps (#14, #15): when they reset, how each destination's answers are told apart, the pacer's threshold. */

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

test('the next midnight in America/Los_Angeles, in standard and daylight time and across both changes', () => {
  assert.equal(iso(nextPacificMidnight(at('2026-01-15T12:00:00Z'))), '2026-01-16T08:00:00.000Z', 'PST, 04:00 local');
  assert.equal(iso(nextPacificMidnight(at('2026-07-15T06:59:59Z'))), '2026-07-15T07:00:00.000Z', 'PDT, a second before midnight');
  assert.equal(iso(nextPacificMidnight(at('2026-07-15T07:00:00Z'))), '2026-07-16T07:00:00.000Z', 'PDT, at midnight: the next one');
  // Spring forward (8 March 2026, 2 am): the day is 23 hours long.
  assert.equal(iso(nextPacificMidnight(at('2026-03-08T09:00:00Z'))), '2026-03-09T07:00:00.000Z', '01:00 PST on the day of the change');
  assert.equal(iso(nextPacificMidnight(at('2026-03-08T07:00:00Z'))), '2026-03-08T08:00:00.000Z', '23:00 PST the evening before');
  // Fall back (1 November 2026, 2 am): 25 hours.
  assert.equal(iso(nextPacificMidnight(at('2026-11-01T07:30:00Z'))), '2026-11-02T08:00:00.000Z', '00:30 PDT on the day of the change');
  assert.equal(iso(nextPacificMidnight(at('2026-11-01T06:00:00Z'))), '2026-11-01T07:00:00.000Z', '23:00 PDT the evening before');
});

test('Photos resumes a few minutes after midnight Pacific; in those minutes, at their end rather than a day later', () => {
  assert.equal(photosQuotaResumesAt(at('2026-01-15T12:00:00Z')), '2026-01-16T08:05:00.000Z');
  assert.equal(photosQuotaResumesAt(at('2026-01-16T08:02:00Z')), '2026-01-16T08:05:00.000Z', '00:02 PST');
  assert.equal(photosQuotaResumesAt(at('2026-01-16T08:06:00Z')), '2026-01-17T08:05:00.000Z', '00:06 PST: the quota came back and is gone again');
});

test('a shortened quota day (GOOGLE_PHOTOS_QUOTA_DAY_SECONDS, emulated setups) starts at midnight Pacific and every day-length after it', () => {
  assert.equal(iso(nextPacificMidnight(at('2026-01-15T12:10:00Z'), 3600_000)), '2026-01-15T13:00:00.000Z', 'hour-long days: 05:00 PST');
  assert.equal(iso(nextPacificMidnight(at('2026-01-15T12:00:01.500Z'), 3000)), '2026-01-15T12:00:03.000Z');
  // The margin keeps its share of the day: 5 minutes of 24 hours are 10 ms of 3 seconds.
  assert.equal(photosQuotaResumesAt(at('2026-01-15T12:00:01.500Z'), 3000), '2026-01-15T12:00:03.010Z');
  const reply = photosAnswers.dailyQuotaExceeded(10_000).toReply();
  const before = Date.now();
  const daily = classifyPhotosError(reply.status, JSON.parse(String(reply.body)), {}, 'uploading', 3000);
  const resumesAt = Date.parse(daily.dailyCap!.resumesAt!);
  assert.ok(resumesAt > before && resumesAt <= before + 3010, daily.dailyCap!.resumesAt!);
});

test('a metadata step asked to park answers a daily cap (its reset, else QUOTA_PROBE_MINUTES ahead) instead of failing; otherwise it fails as before', async () => {
  const capped = (resumesAt: string | null) => () => Promise.reject(new TransferError('gphotos_daily_quota', 'used up', true, { dailyCap: { resumesAt } }));
  assert.deepEqual(await answeringDailyCap(true, 60, capped('2026-01-16T08:05:00.000Z')), { dailyCap: { resumesAt: '2026-01-16T08:05:00.000Z' } });
  const before = Date.now();
  const probed = (await answeringDailyCap(true, 2, capped(null))) as DailyCapped;
  assert.ok(Math.abs(Date.parse(probed.dailyCap.resumesAt) - (before + 120_000)) < 1000, probed.dailyCap.resumesAt);
  assert.equal(await answeringDailyCap(true, 60, () => Promise.resolve('root')), 'root');
  await assert.rejects(answeringDailyCap(undefined, 60, capped(null)), /used up/, 'workflows from before parking retry it');
  await assert.rejects(answeringDailyCap(true, 60, () => Promise.reject(new TransferError('gphotos_forbidden', 'refused', false))), /refused/);
});

test("Photos' daily quota is a daily cap with its reset time; the per-minute limit stays a rate limit", () => {
  const reply = photosAnswers.dailyQuotaExceeded(10_000).toReply();
  const before = Date.now();
  const daily = classifyPhotosError(reply.status, JSON.parse(String(reply.body)), {}, 'uploading');
  assert.ok(!(daily instanceof RateLimitedError));
  assert.equal(daily.code, 'gphotos_daily_quota');
  assert.equal(daily.retryable, true, 'workflows from before parking retry it as they did');
  const resumesAt = Date.parse(daily.dailyCap!.resumesAt!);
  assert.ok(resumesAt > before && resumesAt <= before + 24 * 3600_000 + 5 * 60_000 + 1000, daily.dailyCap!.resumesAt!);
  const minute = photosAnswers.writeQuotaExceeded(3).toReply();
  const limited = classifyPhotosError(minute.status, JSON.parse(String(minute.body)), minute.headers ?? {}, 'uploading');
  assert.ok(limited instanceof RateLimitedError);
  assert.equal(limited.dailyCap, null);
});

test("Drive's project daily limit is a daily cap with no reset time (probed); its 750 GB answer looks like throttling", () => {
  const body = (reason: string) => ({ error: { code: 403, message: 'm', errors: [{ domain: 'usageLimits', reason, message: 'm' }] } });
  const daily = classifyDriveError(403, body('dailyLimitExceeded'), {}, 'x');
  assert.deepEqual([daily.code, daily.accountWide, daily.dailyCap], ['drive_daily_limit', true, { resumesAt: null }]);
  const user = classifyDriveError(403, body('userRateLimitExceeded'), {}, 'x');
  assert.ok(user instanceof RateLimitedError);
  assert.equal(user.dailyCap, null);
  assert.equal(classifyDriveError(403, body('storageQuotaExceeded'), {}, 'x').dailyCap, null);
});

const throttled = () => Promise.reject(new RateLimitedError('slow down', undefined));
const classify = (err: unknown) => err as TransferError;

test('rate limits for QUOTA_PARK_AFTER_MINUTES with no write succeeding count as a daily cap', async () => {
  const pacer = new Pacer(1000, 1000);
  // 0.01 minutes = 600 ms: the third answer in a row backs off a second, past it.
  const caller = new ProviderCaller({ invalidate() {} }, pacer, classify, 0.01);
  const started = Date.now();
  const err = await caller.run('uploading', 'write', throttled).then(() => assert.fail('never succeeds'), (e: unknown) => e as TransferError);
  assert.equal(err.code, DAILY_LIMIT_SUSPECTED);
  assert.deepEqual(err.dailyCap, { resumesAt: null });
  assert.ok(Date.now() - started >= 600);
  assert.match(err.message, /slow down/);
});

test('a write that succeeds between rate limits starts the count again', async () => {
  const pacer = new Pacer(1000, 1000);
  const caller = new ProviderCaller({ invalidate() {} }, pacer, classify, 0.01);
  pacer.rateLimited();
  pacer.rateLimited();
  pacer.rateLimited();
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(pacer.limitedForMs() >= 600);
  assert.equal(await caller.run('creating', 'write', async () => 'made'), 'made');
  assert.equal(pacer.limitedForMs(), 0);
});
