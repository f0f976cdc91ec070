import { jsonReply, type Reply } from '../../shared/http';
import { checkVerifier, clientCredentials, readForm, redeemableCode, type TokenEndpointDialect } from '../../shared/oauth/tokenEndpoint';
import type { YandexContext } from '../context';
import { OAuthError } from '../errors';
import type { Exchange, Route } from '../router';
import type { AccessToken, RefreshToken } from './tokens';

/** Yandex ID's wording; it says as little as it can about why a code failed. */
const DIALECT: TokenEndpointDialect = {
  OAuthError,
  basicIsFormEncoded: false,
  malformedBasic: 'Malformed client credentials.',
  code: {
    unknown: 'Invalid code.',
    used: 'Code has already been used.',
    expired: 'Code has expired.',
    missingVerifier: 'Code verifier is missing or wrong.',
    wrongVerifier: 'Code verifier is missing or wrong.',
  },
};

export function tokenRoutes(ctx: YandexContext): Route[] {
  async function token(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex.req, DIALECT);
    const grantType = form.get('grant_type');
    ex.op = grantType === 'refresh_token' ? 'refresh' : 'token';
    const clientId = authenticateClient(ctx, ex, form);
    if (grantType === 'authorization_code') return exchangeCode(ctx, ex, form, clientId);
    if (grantType === 'refresh_token') return refresh(ctx, ex, form, clientId);
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  async function revoke(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex.req, DIALECT);
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

function authenticateClient(ctx: YandexContext, ex: Exchange, form: URLSearchParams): string {
  const { clientId, secret } = clientCredentials(ex.req, form, DIALECT);
  if (clientId !== ctx.opts.clientId || secret !== ctx.opts.clientSecret) {
    throw new OAuthError(401, 'invalid_client', 'Client not found or wrong client_secret.');
  }
  return clientId;
}

function exchangeCode(ctx: YandexContext, ex: Exchange, form: URLSearchParams, clientId: string): Reply {
  const code = redeemableCode(ctx.tokens, form.get('code') ?? '', clientId, DIALECT);
  checkVerifier(code, form, DIALECT);
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
