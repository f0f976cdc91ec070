import { RateLimitedError, TransferError, UnauthorizedError } from '../../shared/errors';
import { isHttpFailure } from '../http-failure';
import { Headers, retryAfterMs } from '../retry-after';

/**
 * Drive's HTTP answers → the shared retry vocabulary. One function, so the multipart path, the resumable path
 * and folder creation all agree. Reasons from https://developers.google.com/workspace/drive/api/guides/handle-errors.
 * gaxios retries neither POST nor 403 and ignores Retry-After, so nothing below relies on it.
 */

/** Drive error body: {"error":{"code":403,"message":"…","errors":[{"reason":"…"}]}}. */
export function driveReason(body: unknown): { reason: string | undefined; message: string | undefined } {
  const error = (body as { error?: { message?: unknown; errors?: Array<{ reason?: unknown }> } } | undefined)?.error;
  const reason = error?.errors?.[0]?.reason;
  return {
    reason: typeof reason === 'string' ? reason : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
  };
}

const RATE_LIMIT_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded']);

/** `account`: every further request of the transfer would be refused alike (TransferError.accountWide). */
const PERMANENT_403: Record<string, [code: string, text: string, scope?: 'account']> = {
  storageQuotaExceeded: ['drive_storage_full', "the user's Google Drive is full", 'account'],
  quotaExceeded: ['drive_storage_full', "the user's Google Drive is full", 'account'],
  dailyLimitExceeded: ['drive_daily_limit', 'the daily Drive API limit of our Google project is used up', 'account'],
  activeItemCreationLimitExceeded: ['drive_item_limit', 'the account has reached Drive\u2019s limit of created items'],
  numChildrenInNonRootLimitExceeded: ['drive_folder_full', 'a folder reached Drive\u2019s limit of 500,000 items'],
  myDriveHierarchyDepthLimitExceeded: ['drive_too_deep', 'the folder tree is deeper than Drive allows'],
  appNotAuthorizedToFile: ['drive_not_authorized', 'our app has no access to the target folder (was it created by another app?)'],
  insufficientFilePermissions: ['drive_not_authorized', 'the user lacks permission to write to the target folder'],
  insufficientPermissions: ['drive_scope_missing', 'the granted access does not include Google Drive', 'account'],
  domainPolicy: ['drive_domain_policy', 'the Google Workspace administrator has disabled Drive apps', 'account'],
};

export function classifyDriveError(status: number, body: unknown, headers: Headers, what: string): TransferError {
  const { reason, message } = driveReason(body);
  const detail = message ? `: ${message}` : '';
  if (status === 429 || (status === 403 && reason && RATE_LIMIT_REASONS.has(reason))) {
    return new RateLimitedError(`Drive rate limit while ${what} (${reason ?? status})`, retryAfterMs(headers));
  }
  if (status === 401) return new UnauthorizedError('drive_unauthorized', `Drive rejected the access token while ${what}`);
  if (status === 403) {
    const known = reason ? PERMANENT_403[reason] : undefined;
    // Account-wide for workflows from before parking; those that park take the daily cap first (probed, as Drive
    // publishes no reset time).
    const dailyCap = reason === 'dailyLimitExceeded' ? { resumesAt: null } : undefined;
    if (known) return new TransferError(known[0], `${known[1]} (while ${what})`, false, { accountWide: known[2] === 'account', dailyCap });
    return new TransferError('drive_forbidden', `Drive refused ${what} (${reason ?? 'forbidden'})${detail}`, false);
  }
  if (status === 404) return new TransferError('drive_not_found', `Drive could not find the target while ${what}${detail}`, false);
  if (status === 409) return new TransferError('drive_conflict', `Drive already has this item (${what})`, false);
  if (status === 408 || status >= 500) return new TransferError('drive_unavailable', `Drive answered HTTP ${status} while ${what}`, true);
  return new TransferError('drive_bad_request', `Drive refused ${what} with HTTP ${status}${detail}`, false);
}

/** A transport failure (reset, timeout, DNS) talking to Drive: the request may or may not have landed. */
export function networkError(err: unknown, what: string): TransferError {
  const e = err as NodeJS.ErrnoException;
  return new TransferError('drive_network', `connection to Drive failed while ${what} (${e.code ?? e.message})`, true);
}

/** Drive's classifier for ProviderCaller: status/body/headers out of a gaxios error or our own HttpFailure. */
export function toTransferError(err: unknown, what: string): TransferError {
  if (err instanceof TransferError) return err;
  if (isHttpFailure(err)) return classifyDriveError(err.status, err.body, err.headers, what);
  const response = (err as { response?: { status?: number; data?: unknown; headers?: unknown } }).response;
  if (response?.status) return classifyDriveError(response.status, response.data, headersOf(response.headers), what);
  return networkError(err, what);
}


function headersOf(raw: unknown): Record<string, string | undefined> {
  if (raw && typeof (raw as globalThis.Headers).get === 'function') {
    return { 'retry-after': (raw as globalThis.Headers).get('retry-after') ?? undefined };
  }
  return (raw ?? {}) as Record<string, string | undefined>;
}

