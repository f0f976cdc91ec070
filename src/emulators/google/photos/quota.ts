import type { ResolvedOptions } from '../options';
import { concurrentWrite, dailyQuotaExceeded, writeQuotaExceeded } from './errors';
import { PHOTOS_WRITE_OPS } from './ops';

/** Where the project stands against its daily budget (for tests and benchmarks). */
export interface DailyQuotaUse {
  day: string;
  used: number;
  limit: number;
}

/**
 * The Library API's quotas: one daily budget for the whole project (every request, uploads included, "10,000
 * requests per project per day"), a per-user write limit per minute, and one batchCreate in flight per user.
 * Refused requests do not use up budget.
 */
export class PhotosQuota {
  private day = '';
  private used = 0;
  private readonly writes = new Map<string, { minute: number; count: number }>();
  private readonly creating = new Set<string>();

  constructor(
    private readonly opts: () => ResolvedOptions,
    private readonly now: () => number,
  ) {}

  /** Charges one request of `op` by `user`, or throws the 429 Google would answer. */
  admit(user: string, op: string): void {
    const opts = this.opts();
    this.rollDay();
    if (this.used >= opts.photosRequestsPerDay) throw dailyQuotaExceeded(opts.photosRequestsPerDay);
    if (PHOTOS_WRITE_OPS.has(op)) this.admitWrite(user, opts);
    this.used += 1;
  }

  /** Marks a batchCreate in flight; the returned function ends it. */
  beginBatchCreate(user: string): () => void {
    if (this.opts().photosRejectConcurrentBatchCreate && this.creating.has(user)) throw concurrentWrite();
    this.creating.add(user);
    return () => this.creating.delete(user);
  }

  dailyUse(): DailyQuotaUse {
    this.rollDay();
    return { day: this.day, used: this.used, limit: this.opts().photosRequestsPerDay };
  }

  private rollDay(): void {
    const day = this.opts().photosQuotaDay(this.now());
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
  }

  private admitWrite(user: string, opts: ResolvedOptions): void {
    const limit = opts.photosWritesPerMinutePerUser;
    if (!limit) return;
    const minute = Math.floor(this.now() / 60_000);
    const window = this.writes.get(user);
    const count = window?.minute === minute ? window.count : 0;
    if (count >= limit) throw writeQuotaExceeded(opts.retryAfterSeconds);
    this.writes.set(user, { minute, count: count + 1 });
  }
}
