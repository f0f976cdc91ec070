import { htmlReply, mediaType, readBody, type Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { PageError } from '../errors';
import { newRequestId } from '../ids';
import type { Exchange, Route } from '../router';
import { DECISION_PATH, renderConsentPage } from './consentPage';

export const DEFAULT_USER = 'user@yandex.ru';

interface AuthRequest {
  redirectUri: string;
  user: string;
  scopes: string[];
  state?: string;
  challenge?: string;
}

/** An error the authorization server reports back to the (valid) redirect_uri. */
class RedirectError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
  ) {
    super(code);
  }
}

/** RFC 7636: an S256 challenge is BASE64URL(SHA256(verifier)) without padding, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function authorizeRoutes(ctx: YandexContext): Route[] {
  // Requests waiting for a click on the consent page; each id is single-use.
  const pending = new Map<string, AuthRequest>();

  async function authorize(ex: Exchange): Promise<Reply> {
    const q = ex.url.searchParams;
    const redirectUri = checkClientAndRedirect(ctx, q);
    let request: AuthRequest;
    try {
      request = parseAuthRequest(q, redirectUri);
    } catch (err) {
      if (!(err instanceof RedirectError)) throw err;
      return redirect(redirectUri, { error: err.code, error_description: err.description, state: q.get('state') ?? undefined });
    }
    ex.fault();
    if (ctx.opts.consent === 'deny') return redirect(redirectUri, { error: 'access_denied', state: request.state });
    if (ctx.opts.consent === 'allow') return approve(ctx, request);
    const requestId = newRequestId();
    pending.set(requestId, request);
    return htmlReply(200, renderConsentPage({ requestId, clientId: ctx.opts.clientId, user: request.user, scopes: request.scopes }));
  }

  async function decide(ex: Exchange): Promise<Reply> {
    if (mediaType(ex.req) !== 'application/x-www-form-urlencoded') throw new PageError(400, 'invalid_request', 'Expected a form submission.');
    const form = new URLSearchParams((await readBody(ex.req, 64 * 1024)).toString('utf8'));
    const id = form.get('request') ?? '';
    const request = pending.get(id);
    if (!request) throw new PageError(400, 'invalid_request', 'This consent request is unknown or was already answered.');
    pending.delete(id);
    ex.fault();
    if (form.get('decision') !== 'allow') return redirect(request.redirectUri, { error: 'access_denied', state: request.state });
    return approve(ctx, request);
  }

  return [
    { methods: ['GET'], path: /^\/authorize$/, group: 'page', op: 'authorize', handle: authorize },
    { methods: ['POST'], path: new RegExp(`^${DECISION_PATH}$`), group: 'page', op: 'authorize', handle: decide },
  ];
}

/** Errors about client or redirect_uri are shown to the user: redirecting would trust an unverified URI. */
function checkClientAndRedirect(ctx: YandexContext, q: URLSearchParams): string {
  const clientId = q.get('client_id');
  if (!clientId) throw new PageError(400, 'invalid_request', 'Missing required parameter: client_id');
  if (clientId !== ctx.opts.clientId) throw new PageError(400, 'invalid_client', `Unknown client_id: ${clientId}`);
  // "If the parameter is omitted, the first Callback URI from the app settings is used."
  const redirectUri = q.get('redirect_uri') ?? ctx.opts.redirectUris[0];
  if (!redirectUri || !ctx.opts.redirectUris.includes(redirectUri)) {
    throw new PageError(400, 'invalid_request', `redirect_uri=${redirectUri ?? ''} is not a Callback URI of this app.`);
  }
  return redirectUri;
}

function parseAuthRequest(q: URLSearchParams, redirectUri: string): AuthRequest {
  const responseType = q.get('response_type');
  if (responseType !== 'code') throw new RedirectError('unsupported_response_type', `Invalid response_type: ${responseType ?? ''}`);
  const split = (name: string): string[] => (q.get(name) ?? '').split(' ').filter(Boolean);
  // The emulated user never unticks optional rights, so the grant is scope + optional_scope.
  const scopes = [...new Set([...split('scope'), ...split('optional_scope')])];
  return {
    redirectUri,
    user: q.get('login_hint') || DEFAULT_USER,
    scopes,
    state: q.get('state') ?? undefined,
    challenge: parseChallenge(q),
  };
}

/** Only S256: a client that falls back to `plain` (or to no method) should fail here, not in production. */
function parseChallenge(q: URLSearchParams): string | undefined {
  const value = q.get('code_challenge');
  const method = q.get('code_challenge_method');
  if (!value) {
    if (method) throw new RedirectError('invalid_request', 'code_challenge_method without code_challenge');
    return undefined;
  }
  if (method !== 'S256') throw new RedirectError('invalid_request', `code_challenge_method must be S256, got ${method ?? 'none'}`);
  if (!S256_CHALLENGE.test(value)) throw new RedirectError('invalid_request', 'Invalid code_challenge.');
  return value;
}

function approve(ctx: YandexContext, request: AuthRequest): Reply {
  const code = ctx.tokens.issueCode({ clientId: ctx.opts.clientId, user: request.user, scopes: request.scopes, challenge: request.challenge });
  return redirect(request.redirectUri, { code, state: request.state });
}

function redirect(redirectUri: string, params: Record<string, string | undefined>): Reply {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.append(key, value);
  return { status: 302, headers: { location: target.toString() }, body: '' };
}
