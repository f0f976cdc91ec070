import type { IncomingMessage } from 'node:http';
import type { GoogleContext } from '../context';
import type { OpKind } from '../faults';
import { PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE } from '../oauth/scopes';
import type { Authenticator, Caller } from '../router';
import { insufficientScopes, unauthenticated } from './errors';

/** What a Photos call needs: writes take appendonly; reads take readonly.appcreateddata (nothing else since 2025-03-31). */
export type PhotosAccess = 'append' | 'read';

const SCOPE: Record<PhotosAccess, string> = {
  append: PHOTOS_APPENDONLY_SCOPE,
  read: PHOTOS_READ_APP_CREATED_SCOPE,
};

/**
 * Route authentication for the Library API: 401 for a missing, unknown, expired or revoked token, 403 PERMISSION_DENIED
 * for a live token without the scope, then the quotas (429). Refused requests use no quota.
 */
export function photosAuth(access: PhotosAccess): Authenticator {
  return (ctx: GoogleContext, req: IncomingMessage, op: OpKind): Caller => {
    const match = /^Bearer +(\S+)$/.exec(req.headers.authorization ?? '');
    const token = match && ctx.tokens.findAccess(match[1]!);
    if (!token) {
      ctx.stats.unauthorized += 1;
      throw unauthenticated();
    }
    if (!token.grant.scopes.includes(SCOPE[access])) throw insufficientScopes();
    ctx.photos.quota.admit(token.grant.user, op);
    return { user: token.grant.user, clientId: token.grant.clientId };
  };
}
