import { WriteRateLimiter } from '../../shared/write-rate-limiter';

/** The shared write bucket, plus how Drive says "slow down": 403 or 429. */
export class DriveWriteRateLimiter extends WriteRateLimiter {
  private limited = 0;

  /** Status for the next rate-limited answer; 'alternate' flips 403/429 so clients must handle both. */
  nextStatus(style: '403' | '429' | 'alternate'): 403 | 429 {
    this.limited += 1;
    if (style === 'alternate') return this.limited % 2 === 1 ? 403 : 429;
    return style === '403' ? 403 : 429;
  }
}
