import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { BodyTooLargeError, jsonReply, sendReply, type Reply } from '../shared/http';
import type { YandexContext } from './context';
import { DiskError, injectedDiskError, OAuthError, PageError, tooManyRequests } from './errors';
import type { FaultAction, FaultContext, OpKind, StatusFault } from './faults';

/** disk: Disk API and uploader (Yandex error bodies + latency); oauth: token-endpoint JSON; page: HTML for the browser. */
export type Group = 'disk' | 'oauth' | 'page';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Capture groups of the route's path pattern. */
  readonly params: string[];
  /** "http://host:port" as the client addressed us: hrefs in answers point back there. */
  readonly base: string;
  /** Set from the route; the token endpoint refines it ('token' vs 'refresh') once it has read the body. */
  op: OpKind;
  /** Who the request acts for ('' on OAuth routes). */
  user: string;
  /**
   * Consults the fault injector once, with whatever the handler knows by now. Throws for the
   * actions that pre-empt the work (status, reset); returns the ones the handler must act on.
   */
  fault(info?: Omit<FaultContext, 'op' | 'user'>): FaultAction | undefined;
}

/** A reply, or 'destroy' to drop the connection without answering. */
export type Outcome = Reply | 'destroy';

export interface Route {
  methods: readonly string[];
  path: RegExp;
  group: Group;
  op: OpKind;
  /** Resolves the acting user (from the OAuth token, or from an upload href) or throws. */
  user?: (ex: Exchange) => string;
  /** Counts against the user's write bucket. */
  write?: boolean;
  handle: (ex: Exchange) => Promise<Outcome>;
}

class InjectedStatus extends Error {
  constructor(readonly fault: StatusFault) {
    super(`injected ${fault.status}`);
  }
}
class InjectedReset extends Error {}

export function createDispatcher(ctx: YandexContext, routes: Route[], extra: (url: URL) => Reply | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const internal = extra(url);
    if (internal) return sendReply(res, internal);
    const found = findRoute(routes, req.method ?? 'GET', url.pathname);
    if ('status' in found) return sendReply(res, found);
    const { route, params } = found;
    let fired: FaultAction | undefined;
    const ex: Exchange = {
      req,
      url,
      params,
      base: `http://${req.headers.host ?? 'localhost'}`,
      op: route.op,
      user: '',
      fault(info = {}) {
        fired = ctx.faults.take({ op: ex.op, user: ex.user || undefined, ...info });
        if (fired === 'reset') throw new InjectedReset();
        if (typeof fired === 'object') throw new InjectedStatus(fired);
        return fired;
      },
    };
    let outcome: Outcome;
    try {
      if (route.user) ex.user = route.user(ex);
      if (route.write) admitWrite(ctx, ex.user);
      const reply = await route.handle(ex);
      outcome = fired === 'commitThenReset' ? 'destroy' : reply;
    } catch (err) {
      outcome = errorOutcome(err, route.group, req);
    }
    ctx.stats.count(ex.op);
    if (route.group === 'disk' && ctx.opts.latencyMs) await delay(ctx.opts.latencyMs);
    if (outcome === 'destroy') req.socket.destroy();
    else sendReply(res, outcome);
  };
}

function findRoute(routes: Route[], method: string, path: string): { route: Route; params: string[] } | Reply {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.path.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.methods.includes(method)) return { route, params: match.slice(1).map((p) => p ?? '') };
  }
  return pathMatched
    ? new DiskError(405, 'MethodNotAllowedError', `Method ${method} is not allowed for ${path}.`, 'Метод не поддерживается.').toReply()
    : new DiskError(404, 'NotFoundError', `Nothing is served at ${path}.`, 'Не удалось найти запрошенный ресурс.').toReply();
}

function admitWrite(ctx: YandexContext, user: string): void {
  if (!ctx.limiter.tryAcquire(user)) {
    ctx.stats.rateLimited += 1;
    throw tooManyRequests(ctx.opts.retryAfterSeconds);
  }
  ctx.stats.writes += 1;
}

function errorOutcome(err: unknown, group: Group, req: IncomingMessage): Outcome {
  if (err instanceof InjectedReset) return 'destroy';
  if (err instanceof DiskError || err instanceof OAuthError || err instanceof PageError) return err.toReply();
  if (err instanceof InjectedStatus) return injectedError(err.fault, group);
  if (err instanceof BodyTooLargeError) {
    return group === 'disk'
      ? new DiskError(413, 'PayloadTooLarge', `Request body is larger than ${err.limit} bytes.`).toReply()
      : new OAuthError(400, 'invalid_request', 'Request body too large.').toReply();
  }
  // The client went away mid-body: there is nobody to answer.
  if (req.errored || req.socket.destroyed) return 'destroy';
  console.error('yandex emulator: unexpected error', err);
  return jsonReply(500, { message: `[emulator] ${String(err)}`, description: 'Internal Server Error', error: 'InternalServerError' });
}

function injectedError({ status, error, message, retryAfter }: StatusFault, group: Group): Reply {
  if (group === 'disk') return injectedDiskError(status, error, message, retryAfter).toReply();
  if (group === 'oauth') {
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    const code = error ?? (status === 400 ? 'invalid_grant' : status === 401 ? 'invalid_client' : 'server_error');
    return new OAuthError(status, code, message ?? 'Injected fault', headers).toReply();
  }
  return new PageError(status, error ?? 'server_error', message ?? 'Injected fault').toReply();
}
