import { rateLimitError } from '../errors';
import type { ResolvedOptions } from '../options';

/** Where a user stands against Drive's daily upload limit today (for tests). */
export interface DailyUploadUse {
  day: string;
  bytes: number;
  limit: number | undefined;
}

/**
 * Drive's daily upload limit: "Individual users can only upload 750 GB each day between My Drive and all shared
 * drives. Users who reach the 750-GB limit … cannot upload additional files that day. Uploads that are in progress
 * will complete." (support.google.com/a/answer/172541). Past it, new uploads are answered exactly as throttling is
 * (403 userRateLimitExceeded, "User rate limit exceeded."), which is how clients meet it. Folders are not uploads.
 * Google publishes no reset time: the day is `driveQuotaDay` (default the UTC date; tests make it short).
 */
export class DriveDailyUploads {
  private readonly used = new Map<string, { day: string; bytes: number }>();

  constructor(
    private readonly opts: () => ResolvedOptions,
    private readonly now: () => number,
  ) {}

  /** Refuses a new upload once the user's limit for today is reached. */
  admit(user: string): void {
    const limit = this.opts().driveUploadBytesPerDay;
    if (limit !== undefined && this.use(user).bytes >= limit) throw rateLimitError('403 userRateLimitExceeded');
  }

  /** A finished upload counts toward its user's day. */
  add(user: string, bytes: number): void {
    const today = this.use(user);
    this.used.set(user, { day: today.day, bytes: today.bytes + bytes });
  }

  use(user: string): DailyUploadUse {
    const day = this.opts().driveQuotaDay(this.now());
    const entry = this.used.get(user);
    return { day, bytes: entry?.day === day ? entry.bytes : 0, limit: this.opts().driveUploadBytesPerDay };
  }
}
