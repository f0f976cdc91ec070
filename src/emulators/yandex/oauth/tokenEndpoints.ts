import { createHash } from 'node:crypto';
import { jsonReply, mediaType, readBody, type Reply } from '../../shared/http';
import type { YandexContext } from '../context';
import { OAuthError } from '../errors';
import type { Exchange, Route } from '../router';
import type { AccessToken, RefreshToken } from './tokens';

const FORM = 'application/x-www-form-urlencoded';
const FORM_LIMIT = 64 * 1024;
/** RFC 7636 §4.1: code_verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export function tokenRoutes(ctx: YandexContext): Route[] {
  async function token(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex);
    const grantType = form.get('grant_type');
    ex.op = grantType === 'refresh_token' ? 'refresh' : 'token';
    const clientId = authenticateClient(ctx, ex, form);
    if (grantType === 'authorization_code') return exchangeCode(ctx, ex, form, clientId);
    if (grantType === 'refresh_token') return refresh(ctx, ex, form, clientId);
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  async function revoke(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex);
    const clientId = authenticateClient(ctx, ex, form);
    const value = form.get('access_token');
    if (!value) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: access_token');
    const record = ctx.tokens.findAccess(value);
    if (!record || record.grant.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'Token is unknown, expired or revoked.');
    ex.fault();
    ctx.tokens.revoke(record);
    return jsonReply(200, { status: 'ok' });
  }

  return [
    { methods: ['POST'], path: /^\/token$/, group: 'oauth', op: 'token', handle: token },
    { methods: ['POST'], path: /^\/revoke_token$/, group: 'oauth', op: 'revoke', handle: revoke },
  ];
}

async function readForm(ex: Exchange): Promise<URLSearchParams> {
  const body = await readBody(ex.req, FORM_LIMIT);
  if (mediaType(ex.req) !== FORM) throw new OAuthError(400, 'invalid_request', `Content-Type must be ${FORM}`);
  return new URLSearchParams(body.toString('utf8'));
}

/**
 * Client authentication by HTTP Basic or client_id/client_secret in the body. RFC 6749 §2.3:
 * "The client MUST NOT use more than one authentication method in each request."
 */
function authenticateClient(ctx: YandexContext, ex: Exchange, form: URLSearchParams): string {
  const basic = /^Basic +(\S+)$/.exec(ex.req.headers.authorization ?? '')?.[1];
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  if (basic) {
    if (secret !== null) throw new OAuthError(400, 'invalid_request', 'Use either HTTP Basic or client_secret, not both.');
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const basicId = decoded.slice(0, colon);
    if (colon < 0 || (clientId !== null && clientId !== basicId)) throw new OAuthError(401, 'invalid_client', 'Malformed client credentials.');
    clientId = basicId;
    secret = decoded.slice(colon + 1);
  }
  if (clientId !== ctx.opts.clientId || secret !== ctx.opts.clientSecret) {
    throw new OAuthError(401, 'invalid_client', 'Client not found or wrong client_secret.');
  }
  return clientId;
}

function exchangeCode(ctx: YandexContext, ex: Exchange, form: URLSearchParams, clientId: string): Reply {
  const code = ctx.tokens.findCode(form.get('code') ?? '');
  if (!code || code.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'Invalid code.');
  if (code.used) throw new OAuthError(400, 'invalid_grant', 'Code has already been used.');
  if (ctx.tokens.isExpired(code)) throw new OAuthError(400, 'invalid_grant', 'Code has expired.');
  if (code.challenge !== undefined) {
    const verifier = form.get('code_verifier') ?? '';
    const derived = createHash('sha256').update(verifier).digest('base64url');
    if (!VERIFIER.test(verifier) || derived !== code.challenge) throw new OAuthError(400, 'invalid_grant', 'Code verifier is missing or wrong.');
  }
  ex.fault();
  const { access, refresh } = ctx.tokens.redeem(code);
  return tokenReply(ctx, access, refresh);
}

function refresh(ctx: YandexContext, ex: Exchange, form: URLSearchParams, clientId: string): Reply {
  const record = ctx.tokens.findRefresh(form.get('refresh_token') ?? '');
  if (!record || record.grant.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'Refresh token is unknown or revoked.');
  ex.fault();
  ctx.stats.tokenRefreshes += 1;
  const renewed = ctx.tokens.renew(record);
  return tokenReply(ctx, renewed.access, renewed.refresh);
}

function tokenReply(ctx: YandexContext, access: AccessToken, refresh: RefreshToken): Reply {
  return jsonReply(
    200,
    {
      token_type: 'bearer',
      access_token: access.token,
      expires_in: ctx.opts.accessTokenTtlSeconds,
      refresh_token: refresh.token,
      scope: access.grant.scopes.join(' '),
    },
    { 'cache-control': 'no-store' },
  );
}
