import { RateLimitedError, TransferError, UnauthorizedError } from '../../shared/errors';
import { isHttpFailure } from '../http-failure';
import { Headers, retryAfterMs } from '../retry-after';
import { photosQuotaResumesAt, QUOTA_DAY_MS } from './quota-day';

/**
 * The Photos Library API's answers → the shared retry vocabulary, for every Photos call (uploads, albums,
 * batchCreate). Errors are {"error":{"code","message","status","details"}} (no Drive-style errors[] reasons), so
 * some are told apart by their message, as Google's own clients do.
 */

export const PHOTOS_STORAGE_FULL = 'gphotos_storage_full';
export const PHOTOS_DAILY_QUOTA = 'gphotos_daily_quota';
export const PHOTOS_SCOPE_MISSING = 'gphotos_scope_missing';
/** An upload token batchCreate no longer takes (used, expired): the bytes must be uploaded again. */
export const PHOTOS_TOKEN_INVALID = 'gphotos_upload_token_invalid';

function photosError(body: unknown): { message: string; status: string; limit: string | undefined } {
  const error = (body as { error?: { message?: unknown; status?: unknown; details?: Array<{ metadata?: { quota_limit?: unknown } }> } } | undefined)?.error;
  const limit = error?.details?.find((d) => typeof d.metadata?.quota_limit === 'string')?.metadata?.quota_limit as string | undefined;
  return { message: typeof error?.message === 'string' ? error.message : '', status: typeof error?.status === 'string' ? error.status : '', limit };
}

/** `quotaDayMs`: the length of the project's quota day (GOOGLE_PHOTOS_QUOTA_DAY_SECONDS; Google's is 24 h). */
export function classifyPhotosError(status: number, body: unknown, headers: Headers, what: string, quotaDayMs = QUOTA_DAY_MS): TransferError {
  const { message, status: rpc, limit } = photosError(body);
  const detail = message ? `: ${message}` : '';
  if (status === 429) {
    // The project's daily budget comes back at midnight Pacific: the transfer parks until then (a daily cap), and
    // workflows from before parking retry it as they did (retryable).
    if (/per day/i.test(limit ?? message)) {
      const text = `the daily Google Photos request quota of our project is used up (while ${what})`;
      return new TransferError(PHOTOS_DAILY_QUOTA, text, true, { dailyCap: { resumesAt: photosQuotaResumesAt(Date.now(), quotaDayMs) } });
    }
    return new RateLimitedError(`Google Photos rate limit while ${what} (${limit ?? rpc})`, retryAfterMs(headers));
  }
  if (status === 401) return new UnauthorizedError('gphotos_unauthorized', `Google Photos rejected the access token while ${what}`);
  if (status === 403) {
    if (/scope/i.test(message)) return new TransferError(PHOTOS_SCOPE_MISSING, `the granted access does not include adding to Google Photos (while ${what})`, false, { accountWide: true });
    return new TransferError('gphotos_forbidden', `Google Photos refused ${what}${detail}`, false);
  }
  if (status === 400 && /remaining storage .*not enough/i.test(message)) {
    return new TransferError(PHOTOS_STORAGE_FULL, `the user's Google storage is full (while ${what})`, false, { accountWide: true });
  }
  if (status === 400 && /valid upload token/i.test(message)) return new TransferError(PHOTOS_TOKEN_INVALID, `Google Photos no longer takes the upload while ${what}`, false);
  if (status === 404) return new TransferError('gphotos_not_found', `Google Photos could not find the target while ${what}${detail}`, false);
  if (status === 408 || status === 409 || status >= 500) return new TransferError('gphotos_unavailable', `Google Photos answered HTTP ${status} while ${what}`, true);
  return new TransferError('gphotos_bad_request', `Google Photos refused ${what} with HTTP ${status}${detail}`, false);
}

/** One item batchCreate refused inside its 200 (unsupported format, too large…): that photo fails with Photos' reason. */
export function itemRefused(name: string, message: string | undefined): TransferError {
  return new TransferError('gphotos_media_refused', `Google Photos refused "${name}": ${message ?? 'no reason given'}`, false);
}

/** The classifier for ProviderCaller: our own HttpFailure, or a transport failure (the request may have landed). */
export function toPhotosError(err: unknown, what: string, quotaDayMs = QUOTA_DAY_MS): TransferError {
  if (err instanceof TransferError) return err;
  if (isHttpFailure(err)) return classifyPhotosError(err.status, err.body, err.headers, what, quotaDayMs);
  const e = err as NodeJS.ErrnoException;
  return new TransferError('gphotos_network', `connection to Google Photos failed while ${what} (${e.code ?? e.message})`, true);
}

