import { ReplyError, retryAfterHeader } from '../../shared/errors';
import { jsonReply, type Reply } from '../../shared/http';

/** google.rpc.Code names for the HTTP codes the Photos Library API answers with. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const SERVICE = 'photoslibrary.googleapis.com';
/** The consumer the quota messages name; one emulator stands for one Cloud project. */
const CONSUMER = 'project_number:000000000000';

/**
 * A Photos Library API error: the newer Google API shape {"error":{"code","message","status","details"}},
 * without Drive's errors[] array. `headers` carries e.g. X-Goog-Upload-Status on upload answers.
 */
export class PhotosError extends ReplyError {
  constructor(
    readonly status: number,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toReply(): Reply {
    const details = this.details.length > 0 ? { details: this.details } : {};
    const error = { code: this.status, message: this.message, status: STATUS_NAMES[this.status] ?? 'UNKNOWN', ...details };
    return jsonReply(this.status, { error }, this.headers);
  }
}

const errorInfo = (reason: string, metadata: Record<string, string> = {}) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { service: SERVICE, ...metadata },
});

export const invalidArgument = (message: string, headers?: Record<string, string>): PhotosError =>
  new PhotosError(400, message, [], headers);

export const unauthenticated = (): PhotosError =>
  new PhotosError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [],
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );

/** What rclone users saw after 2025-03-31 with the removed scopes (rclone#8567). */
export const insufficientScopes = (): PhotosError =>
  new PhotosError(403, 'Request had insufficient authentication scopes.', [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT')]);

export const notFound = (): PhotosError => new PhotosError(404, 'Requested entity was not found.');

/** For requests Google may accept but this emulator does not model: fail loudly, never guess. */
export const notEmulated = (what: string): PhotosError =>
  new PhotosError(400, `[emulator] ${what} is not supported by the Photos emulator`);

/** "Request must contain a valid upload token." for unknown, expired, used or another user's tokens. */
export const invalidUploadToken = (): PhotosError => invalidArgument('Request must contain a valid upload token.');

/** The text DTP and Chromium string-match (dtinit/data-transfer-project#885). */
export const storageFull = (): PhotosError =>
  invalidArgument("The remaining storage in the user's account is not enough to perform this operation.");

/** The project's daily budget (shape as reported in ShareX#5128; Google documents only "429 ... exceeded the quota"). */
export const dailyQuotaExceeded = (limit: number): PhotosError =>
  new PhotosError(
    429,
    `Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service '${SERVICE}' for consumer '${CONSUMER}'.`,
    [errorInfo('RATE_LIMIT_EXCEEDED', { quota_metric: `${SERVICE}/all_requests`, quota_limit: 'All requests per day', quota_limit_value: String(limit) })],
  );

/** The per-user write limit (shape as reported in dtinit/data-transfer-project#651 and rclone#3677). */
export const writeQuotaExceeded = (retryAfter?: number): PhotosError =>
  new PhotosError(
    429,
    `Quota exceeded for quota metric '${SERVICE}/write_requests' and limit 'WritesPerMinutePerUser' of service '${SERVICE}' for consumer '${CONSUMER}'.`,
    [errorInfo('RATE_LIMIT_EXCEEDED', { quota_metric: `${SERVICE}/write_requests`, quota_limit: 'WritesPerMinutePerUser' })],
    retryAfterHeader(retryAfter),
  );

/** A second batchCreate for a user while one is in flight (rclone#6920, #8567). */
export const concurrentWrite = (): PhotosError =>
  new PhotosError(429, `Quota exceeded for quota 'concurrent write request' of service '${SERVICE}'.`, [errorInfo('RATE_LIMIT_EXCEEDED')]);

/** Error for an injected `{ status }` fault on a Photos route; a bare 429 is the per-user write limit. */
export function injectedPhotosError(status: number, message?: string, retryAfter?: number): PhotosError {
  if (status === 429 && message === undefined) return writeQuotaExceeded(retryAfter);
  const headers = retryAfterHeader(retryAfter);
  const text = message ?? (status === 409 ? 'The operation was aborted.' : status >= 500 ? 'Internal error encountered.' : 'Injected fault');
  return new PhotosError(status, text, [], headers);
}
