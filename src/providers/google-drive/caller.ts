import { setTimeout as delay } from 'node:timers/promises';
import { RateLimitedError, TransferError } from '../../shared/errors';
import { rateLimitWaits, rateLimitWaitSeconds } from '../../shared/metrics';
import type { Pacer } from '../pacer';
import type { DriveAuth } from './auth';
import { classifyDriveError, networkError } from './errors';

/** How long one call keeps waiting out rate limits before it gives up and spends an attempt. */
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;
const TRANSIENT_RETRIES = 4;

export interface HttpFailure {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Reads status/body/headers out of whatever a client threw (gaxios error or our own HttpFailure). */
export function toTransferError(err: unknown, what: string): TransferError {
  if (err instanceof TransferError) return err;
  if (isHttpFailure(err)) return classifyDriveError(err.status, err.body, err.headers, what);
  const response = (err as { response?: { status?: number; data?: unknown; headers?: unknown } }).response;
  if (response?.status) return classifyDriveError(response.status, response.data, headersOf(response.headers), what);
  return networkError(err, what);
}

function isHttpFailure(err: unknown): err is HttpFailure {
  return typeof err === 'object' && err !== null && 'status' in err && 'headers' in err && !(err instanceof Error);
}

function headersOf(raw: unknown): Record<string, string | undefined> {
  if (raw && typeof (raw as Headers).get === 'function') {
    return { 'retry-after': (raw as Headers).get('retry-after') ?? undefined };
  }
  return (raw ?? {}) as Record<string, string | undefined>;
}

/**
 * Runs one Drive request with the policy every Drive call shares: writes are paced, rate limits are waited out
 * (not counted against the photo), a 401 refreshes the token once, and transient failures are retried a few
 * times with backoff. Only safe for idempotent requests — ours are, thanks to pre-generated ids.
 */
export class DriveCaller {
  constructor(private readonly auth: DriveAuth, private readonly pacer: Pacer) {}

  async run<T>(what: string, kind: 'read' | 'write', request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let refreshed = false;
    let transient = 0;
    let waited = 0;
    for (;;) {
      if (kind === 'write') await this.pacer.take(signal);
      try {
        const result = await request();
        this.pacer.succeeded();
        return result;
      } catch (err) {
        if (signal?.aborted) throw err;
        const failure = toTransferError(err, what);
        if (failure instanceof RateLimitedError) {
          if (waited > MAX_RATE_LIMIT_WAIT_MS) throw failure;
          const wait = this.pacer.rateLimited(failure.retryAfterMs);
          waited += wait;
          rateLimitWaits.inc();
          rateLimitWaitSeconds.inc(wait / 1000);
          await delay(wait, undefined, { signal });
          continue;
        }
        if (failure.code === 'drive_unauthorized' && !refreshed) {
          refreshed = true;
          this.auth.invalidate();
          continue;
        }
        if (failure.retryable && transient < TRANSIENT_RETRIES) {
          await delay(500 * 2 ** transient++, undefined, { signal });
          continue;
        }
        throw failure;
      }
    }
  }
}
