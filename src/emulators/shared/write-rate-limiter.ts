/**
 * Per-user token bucket for writes, reading its rate from the (mutable) options each time. Shared by the Google
 * and Yandex emulators: both providers limit writes per user.
 */
export class WriteRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly settings: () => { writesPerSecond?: number; writeBurst: number },
    private readonly now: () => number,
  ) {}

  tryAcquire(user: string): boolean {
    const { writesPerSecond, writeBurst } = this.settings();
    if (!writesPerSecond) return true;
    const now = this.now();
    const bucket = this.buckets.get(user) ?? { tokens: writeBurst, at: now };
    bucket.tokens = Math.min(writeBurst, bucket.tokens + ((now - bucket.at) / 1000) * writesPerSecond);
    bucket.at = now;
    this.buckets.set(user, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
