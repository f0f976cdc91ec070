import { WriteRateLimiter } from '../../shared/write-rate-limiter';
import type { RateLimitAnswer } from '../errors';

/** The shared write bucket, plus how Drive says "slow down": 403 or 429. */
export class DriveWriteRateLimiter extends WriteRateLimiter {
  private limited = 0;

  /** The next rate-limited answer; 'alternate' flips 403/429 so clients must handle both. */
  nextAnswer(style: '403' | '429' | 'alternate'): RateLimitAnswer {
    this.limited += 1;
    const status = style === 'alternate' ? (this.limited % 2 === 1 ? '403' : '429') : style;
    return status === '403' ? '403 userRateLimitExceeded' : '429 rateLimitExceeded';
  }
}
