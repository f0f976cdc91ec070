import type { Reply } from '../../shared/http';
import { authorizeHandlers, redirect as redirectTo, RedirectError } from '../../shared/oauth/authorize';
import { isWellFormedChallenge, type Challenge } from '../../shared/oauth/pkce';
import type { GoogleContext } from '../context';
import { PageError } from '../errors';
import { newRequestId } from '../ids';
import type { Route } from '../router';
import { DECISION_PATH, renderConsentPage } from './consentPage';
import { parseScopes } from './scopes';

export const DEFAULT_USER = 'user@example.com';

interface AuthRequest {
  clientId: string;
  redirectUri: string;
  user: string;
  scopes: string[];
  state?: string;
  challenge?: Challenge;
  accessType: 'online' | 'offline';
  /** Google shows the consent screen (and so issues a refresh token) on prompt=consent or new scopes. */
  consentNeeded: boolean;
  promptNone: boolean;
  includeGrantedScopes: boolean;
}

/** Google's 302 says it is HTML, with an empty body. */
const REDIRECT_HEADERS = { 'content-type': 'text/html; charset=UTF-8' };

const redirect = (redirectUri: string, params: Record<string, string | undefined>): Reply =>
  redirectTo(redirectUri, params, REDIRECT_HEADERS);

export function authorizeRoutes(ctx: GoogleContext): Route[] {
  const { authorize, decide } = authorizeHandlers<AuthRequest>({
    PageError,
    redirectHeaders: REDIRECT_HEADERS,
    newRequestId,
    consent: () => ctx.opts.consent,
    redirectUri: (q) => checkClientAndRedirect(ctx, q),
    parse: (q, redirectUri) => parseAuthRequest(ctx, q, redirectUri),
    // prompt=none: "Don't display any authentication or consent screens."
    beforeConsent: (request) =>
      request.promptNone && (request.consentNeeded || ctx.opts.consent === 'page')
        ? redirect(request.redirectUri, { error: 'consent_required', state: request.state })
        : undefined,
    // Whoever answered the consent page saw consent, whatever consent they had given before.
    approve: (request, decision) =>
      decision
        ? approve(ctx, { ...request, consentNeeded: true }, decision.getAll('scope'))
        : approve(ctx, request, ctx.opts.grantedScopes(request.scopes)),
    consentPage: (requestId, request) =>
      renderConsentPage({
        requestId,
        clientId: request.clientId,
        user: request.user,
        scopes: request.scopes,
        preticked: ctx.opts.grantedScopes(request.scopes),
      }),
  });
  return [
    { methods: ['GET'], path: /^\/o\/oauth2\/v2\/auth$/, group: 'page', op: () => 'auth', handle: authorize },
    { methods: ['POST'], path: new RegExp(`^${DECISION_PATH}$`), group: 'page', op: () => 'auth', handle: decide },
  ];
}

/** Errors about client or redirect_uri are shown to the user: redirecting would trust an unverified URI. */
function checkClientAndRedirect(ctx: GoogleContext, q: URLSearchParams): string {
  const clientId = q.get('client_id');
  if (!clientId) throw new PageError(400, 'invalid_request', 'Missing required parameter: client_id');
  if (clientId !== ctx.opts.clientId) throw new PageError(401, 'invalid_client', 'The OAuth client was not found.');
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) throw new PageError(400, 'invalid_request', 'Missing required parameter: redirect_uri');
  // "The redirect URI in the request ... does not match the ones authorized for the OAuth client."
  if (!ctx.opts.redirectUris.includes(redirectUri)) {
    throw new PageError(400, 'redirect_uri_mismatch', `redirect_uri=${redirectUri} is not registered for this client.`);
  }
  return redirectUri;
}

function parseAuthRequest(ctx: GoogleContext, q: URLSearchParams, redirectUri: string): AuthRequest {
  const responseType = q.get('response_type');
  if (!responseType) throw new RedirectError('invalid_request', 'Required parameter is missing: response_type');
  if (responseType !== 'code') throw new RedirectError('unsupported_response_type', `Invalid response_type: ${responseType}`);

  const parsed = parseScopes(q.get('scope') ?? '');
  if ('unknown' in parsed) throw new RedirectError('invalid_scope', `Some requested scopes were invalid. {invalid=[${parsed.unknown}]}`);
  if (parsed.scopes.length === 0) throw new RedirectError('invalid_request', 'Missing required parameter: scope');

  const accessType = q.get('access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') {
    throw new RedirectError('invalid_request', `Invalid access_type: ${accessType}`);
  }
  const prompts = (q.get('prompt') ?? '').split(' ').filter(Boolean);
  if (prompts.some((p) => !['none', 'consent', 'select_account'].includes(p)) || (prompts.includes('none') && prompts.length > 1)) {
    throw new RedirectError('invalid_request', `Invalid prompt: ${q.get('prompt')}`);
  }
  const includeGranted = q.get('include_granted_scopes') ?? 'false';
  if (includeGranted !== 'true' && includeGranted !== 'false') {
    throw new RedirectError('invalid_request', `Invalid include_granted_scopes: ${includeGranted}`);
  }

  const clientId = ctx.opts.clientId;
  const user = q.get('login_hint') || DEFAULT_USER;
  const consented = ctx.tokens.consentedScopes(user, clientId);
  return {
    clientId,
    redirectUri,
    user,
    scopes: parsed.scopes,
    state: q.get('state') ?? undefined,
    challenge: parseChallenge(q),
    accessType,
    consentNeeded: prompts.includes('consent') || parsed.scopes.some((s) => !consented.has(s)),
    promptNone: prompts.includes('none'),
    includeGrantedScopes: includeGranted === 'true',
  };
}

function parseChallenge(q: URLSearchParams): AuthRequest['challenge'] {
  const value = q.get('code_challenge');
  const method = q.get('code_challenge_method');
  if (!value) {
    if (method) throw new RedirectError('invalid_request', 'code_challenge_method without code_challenge');
    return undefined;
  }
  // RFC 7636 §4.3: "defaults to 'plain' if not present in the request".
  const finalMethod = method ?? 'plain';
  if (finalMethod !== 'S256' && finalMethod !== 'plain') {
    throw new RedirectError('invalid_request', `Invalid code_challenge_method: ${finalMethod}`);
  }
  if (!isWellFormedChallenge(finalMethod, value)) throw new RedirectError('invalid_request', 'Invalid code_challenge.');
  return { method: finalMethod, value };
}

function approve(ctx: GoogleContext, request: AuthRequest, granted: string[]): Reply {
  const chosen = request.scopes.filter((s) => granted.includes(s));
  if (chosen.length === 0) return redirect(request.redirectUri, { error: 'access_denied', state: request.state });
  const previous = ctx.tokens.consentedScopes(request.user, request.clientId);
  ctx.tokens.recordConsent(request.user, request.clientId, chosen);
  // include_granted_scopes=true: "the new access token also covers any scopes previously granted".
  const scopes = request.includeGrantedScopes ? [...new Set([...previous, ...chosen])] : chosen;
  const code = ctx.tokens.issueCode({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    user: request.user,
    scopes,
    challenge: request.challenge,
    // A refresh token comes with access_type=offline only when the user actually saw consent.
    issueRefreshToken: request.accessType === 'offline' && request.consentNeeded,
  });
  return redirect(request.redirectUri, {
    state: request.state,
    code,
    scope: scopes.join(' '),
    authuser: '0',
    prompt: request.consentNeeded ? 'consent' : 'none',
  });
}
