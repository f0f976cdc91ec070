import { jsonReply, type Reply } from '../../shared/http';
import {
  checkVerifier,
  clientCredentials,
  readForm as readSharedForm,
  redeemableCode,
  type TokenEndpointDialect,
} from '../../shared/oauth/tokenEndpoint';
import type { GoogleContext } from '../context';
import { OAuthError } from '../errors';
import type { Exchange, Route } from '../router';
import { EMAIL_SCOPE } from './scopes';
import type { AccessToken } from './tokens';

/** Google's wording, as its token endpoint answers. */
const DIALECT: TokenEndpointDialect = {
  OAuthError,
  basicIsFormEncoded: true,
  malformedBasic: 'Unauthorized',
  code: {
    unknown: 'Malformed auth code.',
    used: 'Authorization code has already been used.',
    expired: 'Authorization code has expired.',
    missingVerifier: 'Missing code verifier.',
    wrongVerifier: 'Invalid code verifier.',
  },
};

export function tokenRoutes(ctx: GoogleContext): Route[] {
  async function token(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex);
    const grantType = form.get('grant_type');
    ex.op = grantType === 'refresh_token' ? 'refresh' : 'token';
    const clientId = authenticateClient(ctx, ex, form);
    if (grantType === 'authorization_code') return exchangeCode(ctx, ex, form, clientId);
    if (grantType === 'refresh_token') return refresh(ctx, ex, form, clientId);
    if (!grantType) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  async function revoke(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex, { optional: true });
    const value = ex.url.searchParams.get('token') ?? form.get('token');
    if (!value) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    ex.fault();
    if (!ctx.tokens.revoke(value)) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '' };
  }

  async function tokeninfo(ex: Exchange): Promise<Reply> {
    const form = await readForm(ex, { optional: true });
    const bearer = /^Bearer +(\S+)$/.exec(ex.req.headers.authorization ?? '')?.[1];
    const value = ex.url.searchParams.get('access_token') ?? form.get('access_token') ?? bearer;
    ex.fault();
    const record = value ? ctx.tokens.findAccess(value) : undefined;
    if (!record) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
    return jsonReply(200, describe(ctx, record));
  }

  return [
    { methods: ['POST'], path: /^\/token$/, group: 'oauth', op: () => 'token', handle: token },
    { methods: ['POST'], path: /^\/revoke$/, group: 'oauth', op: () => 'revoke', handle: revoke },
    { methods: ['GET', 'POST'], path: /^\/tokeninfo$/, group: 'oauth', op: () => 'tokeninfo', handle: tokeninfo },
  ];
}

const readForm = (ex: Exchange, options?: { optional: boolean }): Promise<URLSearchParams> => readSharedForm(ex.req, DIALECT, options);

/** Google tells a missing client id, an unknown client and a wrong secret apart. */
function authenticateClient(ctx: GoogleContext, ex: Exchange, form: URLSearchParams): string {
  const { clientId, secret } = clientCredentials(ex.req, form, DIALECT);
  if (!clientId) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
  if (clientId !== ctx.opts.clientId) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
  if (secret !== ctx.opts.clientSecret) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
  return clientId;
}

function exchangeCode(ctx: GoogleContext, ex: Exchange, form: URLSearchParams, clientId: string): Reply {
  const value = form.get('code');
  if (!value) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
  const code = redeemableCode(ctx.tokens, value, clientId, DIALECT);
  // RFC 6749 §4.1.3: redirect_uri must be "identical" to the one in the authorization request.
  if (form.get('redirect_uri') !== code.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
  checkVerifier(code, form, DIALECT);
  ex.fault();
  const { access, refresh } = ctx.tokens.redeem(code);
  return tokenReply(ctx, access, refresh?.token);
}

function refresh(ctx: GoogleContext, ex: Exchange, form: URLSearchParams, clientId: string): Reply {
  const value = form.get('refresh_token');
  if (!value) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
  const record = ctx.tokens.findRefresh(value);
  if (!record || record.grant.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
  ex.fault();
  ctx.stats.tokenRefreshes += 1;
  return tokenReply(ctx, ctx.tokens.refreshAccess(record));
}

function tokenReply(ctx: GoogleContext, access: AccessToken, refreshToken?: string): Reply {
  return jsonReply(
    200,
    {
      access_token: access.token,
      expires_in: ctx.opts.accessTokenTtlSeconds,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: access.grant.scopes.join(' '),
      token_type: 'Bearer',
    },
    { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' },
  );
}

/** Google's tokeninfo answers with string values; email only when the email scope was granted. */
function describe(ctx: GoogleContext, record: AccessToken): Record<string, string> {
  const expiresIn = Math.max(0, Math.floor((record.expiresAt - ctx.opts.now()) / 1000));
  const { user, clientId, scopes } = record.grant;
  const hasEmail = scopes.includes(EMAIL_SCOPE);
  return {
    azp: clientId,
    aud: clientId,
    sub: subjectOf(user),
    scope: scopes.join(' '),
    exp: String(Math.floor(record.expiresAt / 1000)),
    expires_in: String(expiresIn),
    ...(hasEmail ? { email: user, email_verified: 'true' } : {}),
    // Offline access is what came with a refresh token.
    access_type: record.refreshToken ? 'offline' : 'online',
  };
}

/** A stable numeric-looking subject id per user, like Google's 21-digit "sub". */
function subjectOf(user: string): string {
  let hash = 0n;
  for (const byte of Buffer.from(user)) hash = (hash * 131n + BigInt(byte)) % 10n ** 21n;
  return hash.toString().padStart(21, '1');
}
