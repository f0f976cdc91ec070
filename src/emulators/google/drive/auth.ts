import type { IncomingMessage } from 'node:http';
import type { GoogleContext } from '../context';
import { insufficientScopes, invalidCredentials } from '../errors';
import { hasDriveScope } from '../oauth/scopes';
import type { Caller } from '../router';

/**
 * Resolves the Drive user behind `Authorization: Bearer <access token>`. Missing, unknown,
 * expired or revoked tokens get 401 authError ("refresh the access token using the long-lived
 * refresh token"); a live token without a Drive scope gets 403 insufficientPermissions.
 */
export function authenticate(ctx: GoogleContext, req: IncomingMessage): Caller {
  const match = /^Bearer +(\S+)$/.exec(req.headers.authorization ?? '');
  const token = match && ctx.tokens.findAccess(match[1]!);
  if (!token) {
    ctx.stats.unauthorized += 1;
    throw invalidCredentials();
  }
  if (!hasDriveScope(token.grant.scopes)) throw insufficientScopes();
  return { user: token.grant.user, clientId: token.grant.clientId };
}
