import type { IncomingMessage } from 'node:http';
import type { YandexContext } from '../context';
import { unauthorized } from '../errors';

/**
 * The Disk user behind `Authorization: OAuth <token>`. Yandex wants exactly the "OAuth" scheme;
 * a Bearer header, or a missing, unknown, expired or revoked token, gets 401 UnauthorizedError.
 */
export function tokenOwner(ctx: YandexContext, req: IncomingMessage): string {
  const match = /^OAuth (\S+)$/.exec(req.headers.authorization ?? '');
  const token = match && ctx.tokens.findAccess(match[1]!);
  if (!token) {
    ctx.stats.unauthorized += 1;
    throw unauthorized();
  }
  return token.grant.user;
}
