import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { BodyTooLargeError, jsonReply, sendReply, type Reply } from '../shared/http';
import type { GoogleContext } from './context';
import {
  DriveError,
  injectedDriveError,
  OAuthError,
  PageError,
  rateLimitError,
} from './errors';
import type { FaultAction, FaultContext, OpKind, StatusFault } from './faults';
import { injectedPhotosError, PhotosError } from './photos/errors';

/**
 * drive: Drive JSON errors + latency; photos: google.rpc.Status JSON errors + latency; oauth: RFC 6749 JSON errors;
 * page: HTML for the browser.
 */
export type Group = 'drive' | 'photos' | 'oauth' | 'page';

/** Who is calling: the account, and the OAuth client (the "app" whose created items Photos lets it see). */
export interface Caller {
  user: string;
  clientId: string;
}

/** Checks the Bearer token (and whatever else the API checks before the work: scopes, quotas). */
export type Authenticator = (ctx: GoogleContext, req: IncomingMessage, op: OpKind) => Caller;

export interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Capture groups of the route's path pattern. */
  readonly params: string[];
  /** Set from the route; the token endpoint refines it ('token' vs 'refresh') once it has read the body. */
  op: OpKind;
  /** The authenticated user ('' on OAuth routes). */
  user: string;
  /** The OAuth client of the token ('' on OAuth routes). */
  clientId: string;
  /**
   * Consults the fault injector once, with whatever the handler knows by now. Throws for the
   * actions that pre-empt the work (status, rate limit, reset); returns the ones the handler must act on.
   */
  fault(info?: Omit<FaultContext, 'op' | 'user'>): FaultAction | undefined;
}

/** A reply, or 'destroy' to drop the connection without answering. */
export type Outcome = Reply | 'destroy';

export interface Route {
  methods: readonly string[];
  path: RegExp;
  group: Group;
  /** Requires a Bearer token this function accepts. */
  auth?: Authenticator;
  op: (url: URL, req: IncomingMessage) => OpKind;
  handle: (ex: Exchange) => Promise<Outcome>;
}

class InjectedStatus extends Error {
  constructor(readonly fault: StatusFault) {
    super(`injected ${fault.status}`);
  }
}
class InjectedReset extends Error {}

/** "Writes" for the rate limiter: every create, PATCH and DELETE; reads and chunk PUTs are not. */
const WRITE_OPS: ReadonlySet<OpKind> = new Set(['createMetadata', 'multipart', 'media', 'resumableInit', 'patch', 'delete']);

export function createDispatcher(ctx: GoogleContext, routes: Route[], extra: (url: URL) => Reply | undefined) {
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
      op: route.op(url, req),
      user: '',
      clientId: '',
      fault(info = {}) {
        fired = ctx.faults.take({ op: ex.op, user: ex.user || undefined, ...info });
        if (fired === 'reset') throw new InjectedReset();
        if (typeof fired === 'object' && 'status' in fired) throw new InjectedStatus(fired);
        if (typeof fired === 'object' && 'rateLimit' in fired) {
          ctx.stats.noteRateLimited(ex.op);
          throw rateLimitError(fired.rateLimit, fired.retryAfter ?? ctx.opts.retryAfterSeconds);
        }
        return fired;
      },
    };
    let outcome: Outcome;
    try {
      if (route.auth) ({ user: ex.user, clientId: ex.clientId } = route.auth(ctx, req, ex.op));
      if (WRITE_OPS.has(ex.op)) admitWrite(ctx, ex.op, ex.user);
      const reply = await route.handle(ex);
      outcome = afterCommit(fired, reply, route.group);
    } catch (err) {
      outcome = errorOutcome(err, route.group, req);
    }
    ctx.stats.count(ex.op);
    if ((route.group === 'drive' || route.group === 'photos') && ctx.opts.latencyMs) await delay(ctx.opts.latencyMs);
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
    if (route.methods.includes(method)) return { route, params: match.slice(1).map((p) => safeDecode(p ?? '')) };
  }
  return pathMatched
    ? new DriveError(405, 'httpMethodNotAllowed', `Method ${method} not allowed for ${path}`).toReply()
    : new DriveError(404, 'notFound', `Not Found: ${path}`).toReply();
}

/** A malformed escape stays as sent, so the lookup fails with 404 rather than crashing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function admitWrite(ctx: GoogleContext, op: OpKind, user: string): void {
  if (!ctx.limiter.tryAcquire(user)) {
    ctx.stats.noteRateLimited(op);
    throw rateLimitError(ctx.limiter.nextAnswer(ctx.opts.rateLimitStyle), ctx.opts.retryAfterSeconds);
  }
  ctx.stats.writes += 1;
}

/** The handler did its work; these faults now lose or spoil the answer. */
function afterCommit(fired: FaultAction | undefined, outcome: Outcome, group: Group): Outcome {
  if (fired === 'commitThenReset') return 'destroy';
  if (fired === 'commitThen500') return errorOutcome(new InjectedStatus({ status: 500 }), group);
  if (typeof fired === 'object' && 'commitThen' in fired) return errorOutcome(new InjectedStatus(fired.commitThen), group);
  return outcome;
}

function errorOutcome(err: unknown, group: Group, req?: IncomingMessage): Outcome {
  if (err instanceof InjectedReset) return 'destroy';
  if (err instanceof DriveError || err instanceof PhotosError || err instanceof OAuthError || err instanceof PageError) {
    return err.toReply();
  }
  if (err instanceof InjectedStatus) return injectedError(err.fault, group);
  if (err instanceof BodyTooLargeError) {
    if (group === 'photos') return new PhotosError(413, `Request body is larger than ${err.limit} bytes.`).toReply();
    return group === 'drive'
      ? new DriveError(413, 'uploadTooLarge', `Request body is larger than ${err.limit} bytes.`).toReply()
      : new OAuthError(400, 'invalid_request', 'Request body too large.').toReply();
  }
  // The client went away mid-body: there is nobody to answer.
  if (req && (req.errored || req.socket.destroyed)) return 'destroy';
  console.error('google emulator: unexpected error', err);
  return jsonReply(500, { error: { code: 500, message: `[emulator] ${String(err)}`, status: 'INTERNAL' } });
}

function injectedError({ status, reason, message, retryAfter }: StatusFault, group: Group): Reply {
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  if (group === 'drive') return injectedDriveError(status, reason, message, retryAfter).toReply();
  if (group === 'photos') return injectedPhotosError(status, message, retryAfter).toReply();
  if (group === 'oauth') {
    const code = reason ?? (status === 400 ? 'invalid_grant' : status === 401 ? 'invalid_client' : 'server_error');
    return new OAuthError(status, code, message ?? 'Injected fault', headers).toReply();
  }
  return new PageError(status, reason ?? 'server_error', message ?? 'Injected fault').toReply();
}

