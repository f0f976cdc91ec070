import type { Reply } from '../../shared/http';
import { authorizeHandlers, redirect, RedirectError } from '../../shared/oauth/authorize';
import { isWellFormedChallenge, type Challenge } from '../../shared/oauth/pkce';
import type { YandexContext } from '../context';
import { PageError } from '../errors';
import { newRequestId } from '../ids';
import type { Route } from '../router';
import { DECISION_PATH, renderConsentPage } from './consentPage';

export const DEFAULT_USER = 'user@yandex.ru';

interface AuthRequest {
  redirectUri: string;
  user: string;
  scopes: string[];
  state?: string;
  challenge?: Challenge;
}

export function authorizeRoutes(ctx: YandexContext): Route[] {
  const { authorize, decide } = authorizeHandlers<AuthRequest>({
    PageError,
    newRequestId,
    consent: () => ctx.opts.consent,
    redirectUri: (q) => checkClientAndRedirect(ctx, q),
    parse: parseAuthRequest,
    approve: (request) => approve(ctx, request),
    consentPage: (requestId, request) =>
      renderConsentPage({ requestId, clientId: ctx.opts.clientId, user: request.user, scopes: request.scopes }),
  });
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
function parseChallenge(q: URLSearchParams): Challenge | undefined {
  const value = q.get('code_challenge');
  const method = q.get('code_challenge_method');
  if (!value) {
    if (method) throw new RedirectError('invalid_request', 'code_challenge_method without code_challenge');
    return undefined;
  }
  if (method !== 'S256') throw new RedirectError('invalid_request', `code_challenge_method must be S256, got ${method ?? 'none'}`);
  if (!isWellFormedChallenge('S256', value)) throw new RedirectError('invalid_request', 'Invalid code_challenge.');
  return { method: 'S256', value };
}

function approve(ctx: YandexContext, request: AuthRequest): Reply {
  const code = ctx.tokens.issueCode({ clientId: ctx.opts.clientId, user: request.user, scopes: request.scopes, challenge: request.challenge });
  return redirect(request.redirectUri, { code, state: request.state });
}
