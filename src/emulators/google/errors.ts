import { OAuthError as SharedOAuthError, PageError as SharedPageError, ReplyError, retryAfterHeader } from '../shared/errors';
import { escapeHtml, htmlReply, jsonReply, type Reply } from '../shared/http';

/** google.rpc.Code names for the HTTP codes we answer with (googleapis/googleapis rpc/code.proto). */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

interface DriveErrorDetail {
  domain?: string;
  /** Some errors carry a shorter text in errors[0].message than at the top level. */
  itemMessage?: string;
  location?: string;
  locationType?: string;
}

/**
 * A Drive API error, rendered as
 * {"error":{"code","message","errors":[{"domain","reason","message",...}],"status"}}.
 */
export class DriveError extends ReplyError {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly detail: DriveErrorDetail = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toReply(): Reply {
    const { domain = 'global', itemMessage = this.message, location, locationType } = this.detail;
    const item = { message: itemMessage, domain, reason: this.reason, location, locationType };
    return jsonReply(
      this.status,
      {
        error: {
          code: this.status,
          message: this.message,
          errors: [item],
          status: STATUS_NAMES[this.status] ?? 'UNKNOWN',
        },
      },
      this.headers,
    );
  }
}

export const invalidCredentials = (): DriveError =>
  new DriveError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    { itemMessage: 'Invalid Credentials', location: 'Authorization', locationType: 'header' },
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );

export const insufficientScopes = (): DriveError =>
  new DriveError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', {
    itemMessage: 'Insufficient Permission',
  });

export const notFound = (fileId: string): DriveError =>
  new DriveError(404, 'notFound', `File not found: ${fileId}.`, { location: 'fileId', locationType: 'parameter' });

export const invalidParameter = (location: string, message = 'Invalid Value'): DriveError =>
  new DriveError(400, 'invalid', message, { location, locationType: 'parameter' });

export const badRequest = (message: string): DriveError => new DriveError(400, 'badRequest', message);

/** For requests Google may accept but this emulator does not model: fail loudly, never guess. */
export const notEmulated = (what: string): DriveError =>
  new DriveError(400, 'badRequest', `[emulator] ${what} is not supported by the Drive emulator`);

export const storageQuotaExceeded = (): DriveError =>
  new DriveError(403, 'storageQuotaExceeded', "The user's Drive storage quota has been exceeded.", {
    domain: 'usageLimits',
  });

/**
 * Drive's documented "slow down" answers (guides/handle-errors): 403 userRateLimitExceeded (the per-user limit),
 * 403 rateLimitExceeded (the project's limit) and 429 rateLimitExceeded (the backend's own checks), any request.
 */
export type RateLimitAnswer = '403 userRateLimitExceeded' | '403 rateLimitExceeded' | '429 rateLimitExceeded';

export function rateLimitError(answer: RateLimitAnswer, retryAfterSeconds?: number): DriveError {
  const headers = retryAfterHeader(retryAfterSeconds);
  // The per-user text as it reaches clients (rclone matches on it); the others as the guide's samples.
  return answer === '403 userRateLimitExceeded'
    ? new DriveError(403, 'userRateLimitExceeded', 'User rate limit exceeded.', { domain: 'usageLimits' }, headers)
    : new DriveError(answer === '403 rateLimitExceeded' ? 403 : 429, 'rateLimitExceeded', 'Rate Limit Exceeded', { domain: 'usageLimits' }, headers);
}

const DEFAULT_REASONS: Record<number, string> = {
  400: 'badRequest',
  401: 'authError',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  429: 'rateLimitExceeded',
};

/** Error for an injected `{ status }` fault on a Drive route. */
export function injectedDriveError(status: number, reason?: string, message?: string, retryAfter?: number): DriveError {
  const headers = retryAfterHeader(retryAfter);
  const finalReason = reason ?? DEFAULT_REASONS[status] ?? 'backendError';
  const domain = /RateLimit|rateLimit|Quota/.test(finalReason) ? 'usageLimits' : 'global';
  return new DriveError(status, finalReason, message ?? (status >= 500 ? 'Backend Error' : finalReason), { domain }, headers);
}

/** RFC 6749 §5.2 error; Google's token endpoint also sends Pragma: no-cache. */
export class OAuthError extends SharedOAuthError {
  protected override readonly cacheHeaders = { 'cache-control': 'no-store', pragma: 'no-cache' };
}

/** Google's "Error 400: redirect_uri_mismatch" page. */
export class PageError extends SharedPageError {
  toReply(): Reply {
    return htmlReply(
      this.status,
      `<!doctype html><html><head><meta charset="utf-8"><title>Error ${this.status}: ${escapeHtml(this.code)}</title></head>` +
        `<body><h1>Access blocked: authorization error</h1><p>Error ${this.status}: ${escapeHtml(this.code)}</p>` +
        `<p>${escapeHtml(this.detail)}</p></body></html>`,
    );
  }
}
