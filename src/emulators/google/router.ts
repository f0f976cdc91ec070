import type { IncomingMessage } from 'node:http';
import { injectedOAuthCode, retryAfterHeader } from '../shared/errors';
import { jsonReply, type Reply } from '../shared/http';
import { createDispatcher as createSharedDispatcher, type BaseExchange, type BaseRoute } from '../shared/router';
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

export interface Exchange extends BaseExchange<FaultContext, FaultAction> {
  /** The OAuth client of the token ('' on OAuth routes). */
  clientId: string;
}

export type { Outcome } from '../shared/router';

export interface Route extends BaseRoute<Exchange> {
  group: Group;
  /** Requires a Bearer token this function accepts. */
  auth?: Authenticator;
  op: (url: URL, req: IncomingMessage) => OpKind;
}

/** "Writes" for the rate limiter: every create, PATCH and DELETE; reads and chunk PUTs are not. */
const WRITE_OPS: ReadonlySet<OpKind> = new Set(['createMetadata', 'multipart', 'media', 'resumableInit', 'patch', 'delete']);

/** Requests that start an upload: refused past the daily upload limit (chunks of uploads under way are not). */
const UPLOAD_STARTS: ReadonlySet<OpKind> = new Set(['multipart', 'media', 'resumableInit']);

export function createDispatcher(ctx: GoogleContext, routes: Route[], internal: (url: URL) => Reply | undefined) {
  return createSharedDispatcher<FaultContext, FaultAction, Route, Exchange>(ctx, routes, internal, {
    decodeParams: true,
    notFound: (path) => new DriveError(404, 'notFound', `Not Found: ${path}`).toReply(),
    methodNotAllowed: (method, path) => new DriveError(405, 'httpMethodNotAllowed', `Method ${method} not allowed for ${path}`).toReply(),
    exchange: (base, route) => ({ ...base, op: route.op(base.url, base.req), user: '', clientId: '' }),
    preempt: (fired, ex) => {
      if (typeof fired === 'object' && 'rateLimit' in fired) {
        ctx.stats.noteRateLimited(ex.op);
        throw rateLimitError(fired.rateLimit, fired.retryAfter ?? ctx.opts.retryAfterSeconds);
      }
    },
    admit: (ex, route) => {
      if (route.auth) ({ user: ex.user, clientId: ex.clientId } = route.auth(ctx, ex.req, ex.op));
      if (WRITE_OPS.has(ex.op)) admitWrite(ctx, ex.op, ex.user);
      if (UPLOAD_STARTS.has(ex.op)) admitUpload(ctx, ex.op, ex.user);
    },
    afterCommit,
    injected: (fault, route) => injectedError(fault, route.group),
    tooLarge,
    internalError: (err) => {
      console.error('google emulator: unexpected error', err);
      return jsonReply(500, { error: { code: 500, message: `[emulator] ${String(err)}`, status: 'INTERNAL' } });
    },
    latencyMs: (route) => (route.group === 'drive' || route.group === 'photos' ? ctx.opts.latencyMs : undefined),
  });
}

function admitWrite(ctx: GoogleContext, op: OpKind, user: string): void {
  if (!ctx.limiter.tryAcquire(user)) {
    ctx.stats.noteRateLimited(op);
    throw rateLimitError(ctx.limiter.nextAnswer(ctx.opts.rateLimitStyle), ctx.opts.retryAfterSeconds);
  }
  ctx.stats.writes += 1;
}

/** Past the daily upload limit: answered, and counted, as a rate limit (that is all a client can see of it). */
function admitUpload(ctx: GoogleContext, op: OpKind, user: string): void {
  try {
    ctx.dailyUploads.admit(user);
  } catch (err) {
    ctx.stats.noteRateLimited(op);
    throw err;
  }
}

/** Faults that let the work happen, then answer an error. */
function afterCommit(fired: FaultAction | undefined): StatusFault | undefined {
  if (fired === 'commitThen500') return { status: 500 };
  return typeof fired === 'object' && 'commitThen' in fired ? fired.commitThen : undefined;
}

function tooLarge(limit: number, route: Route): Reply {
  const text = `Request body is larger than ${limit} bytes.`;
  if (route.group === 'photos') return new PhotosError(413, text).toReply();
  return route.group === 'drive'
    ? new DriveError(413, 'uploadTooLarge', text).toReply()
    : new OAuthError(400, 'invalid_request', 'Request body too large.').toReply();
}

function injectedError({ status, reason, message, retryAfter }: StatusFault, group: Group): Reply {
  if (group === 'drive') return injectedDriveError(status, reason, message, retryAfter).toReply();
  if (group === 'photos') return injectedPhotosError(status, message, retryAfter).toReply();
  if (group === 'oauth') {
    return new OAuthError(status, reason ?? injectedOAuthCode(status), message ?? 'Injected fault', retryAfterHeader(retryAfter)).toReply();
  }
  return new PageError(status, reason ?? 'server_error', message ?? 'Injected fault').toReply();
}
