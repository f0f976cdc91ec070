import { injectedOAuthCode, retryAfterHeader } from '../shared/errors';
import { jsonReply, type Reply } from '../shared/http';
import { createDispatcher as createSharedDispatcher, type BaseExchange, type BaseRoute } from '../shared/router';
import type { YandexContext } from './context';
import { DiskError, injectedDiskError, OAuthError, PageError, tooManyRequests } from './errors';
import type { FaultAction, FaultContext, OpKind, StatusFault } from './faults';

/** disk: Disk API and uploader (Yandex error bodies + latency); oauth: token-endpoint JSON; page: HTML for the browser. */
export type Group = 'disk' | 'oauth' | 'page';

export interface Exchange extends BaseExchange<FaultContext, FaultAction> {
  /** "http://host:port" as the client addressed us: hrefs in answers point back there. */
  readonly base: string;
}

export type { Outcome } from '../shared/router';

export interface Route extends BaseRoute<Exchange> {
  group: Group;
  op: OpKind;
  /** Resolves the acting user (from the OAuth token, or from an upload href) or throws. */
  user?: (ex: Exchange) => string;
  /** Counts against the user's write bucket. */
  write?: boolean;
}

export function createDispatcher(ctx: YandexContext, routes: Route[], internal: (url: URL) => Reply | undefined) {
  return createSharedDispatcher<FaultContext, FaultAction, Route, Exchange>(ctx, routes, internal, {
    decodeParams: false,
    notFound: (path) =>
      new DiskError(404, 'NotFoundError', `Nothing is served at ${path}.`, 'Не удалось найти запрошенный ресурс.').toReply(),
    methodNotAllowed: (method, path) =>
      new DiskError(405, 'MethodNotAllowedError', `Method ${method} is not allowed for ${path}.`, 'Метод не поддерживается.').toReply(),
    exchange: (base, route) => ({ ...base, base: `http://${base.req.headers.host ?? 'localhost'}`, op: route.op, user: '' }),
    admit: (ex, route) => {
      if (route.user) ex.user = route.user(ex);
      if (route.write) admitWrite(ctx, ex.user);
    },
    injected: (fault, route) => injectedError(fault, route.group),
    tooLarge: (limit, route) =>
      route.group === 'disk'
        ? new DiskError(413, 'PayloadTooLarge', `Request body is larger than ${limit} bytes.`).toReply()
        : new OAuthError(400, 'invalid_request', 'Request body too large.').toReply(),
    internalError: (err) => {
      console.error('yandex emulator: unexpected error', err);
      return jsonReply(500, { message: `[emulator] ${String(err)}`, description: 'Internal Server Error', error: 'InternalServerError' });
    },
    latencyMs: (route) => (route.group === 'disk' ? ctx.opts.latencyMs : undefined),
  });
}

function admitWrite(ctx: YandexContext, user: string): void {
  if (!ctx.limiter.tryAcquire(user)) {
    ctx.stats.rateLimited += 1;
    throw tooManyRequests(ctx.opts.retryAfterSeconds);
  }
  ctx.stats.writes += 1;
}

function injectedError({ status, error, message, retryAfter }: StatusFault, group: Group): Reply {
  if (group === 'disk') return injectedDiskError(status, error, message, retryAfter).toReply();
  if (group === 'oauth') {
    return new OAuthError(status, error ?? injectedOAuthCode(status), message ?? 'Injected fault', retryAfterHeader(retryAfter)).toReply();
  }
  return new PageError(status, error ?? 'server_error', message ?? 'Injected fault').toReply();
}
