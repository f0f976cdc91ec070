import { jsonReply, type Reply } from './http';

/** An error a handler throws that already knows its answer, in the provider's own shape. */
export abstract class ReplyError extends Error {
  abstract toReply(): Reply;
}

export const retryAfterHeader = (seconds?: number): Record<string, string> =>
  seconds === undefined ? {} : { 'retry-after': String(seconds) };

/** RFC 6749 §5.2 error: {"error": code, "error_description": text}, never cached. */
export class OAuthError extends ReplyError {
  /** Cache-Control: no-store on every token-endpoint answer (RFC 6749 §5.1); a provider may send more. */
  protected readonly cacheHeaders: Record<string, string> = { 'cache-control': 'no-store' };

  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${description}`);
  }

  toReply(): Reply {
    return jsonReply(this.status, { error: this.code, error_description: this.description }, { ...this.cacheHeaders, ...this.headers });
  }
}

/** An error the browser shows instead of redirecting: redirecting would trust an unverified redirect_uri. */
export abstract class PageError extends ReplyError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** The `error` of an injected `{ status }` fault on a token endpoint that names none. */
export function injectedOAuthCode(status: number): string {
  if (status === 400) return 'invalid_grant';
  return status === 401 ? 'invalid_client' : 'server_error';
}
