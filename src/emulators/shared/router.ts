import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { ReplyError } from './errors';
import type { FaultContextBase, FaultInjector } from './faults';
import { BodyTooLargeError, sendReply, type Reply } from './http';

/** A reply, or 'destroy' to drop the connection without answering. */
export type Outcome = Reply | 'destroy';

/** What every handler sees of its request; each provider adds its own fields. */
export interface BaseExchange<Ctx extends FaultContextBase, Action> {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Capture groups of the route's path pattern. */
  readonly params: string[];
  /** Set from the route; the token endpoint refines it ('token' vs 'refresh') once it has read the body. */
  op: Ctx['op'];
  /** Who the request acts for ('' on OAuth routes). */
  user: string;
  /**
   * Consults the fault injector once, with whatever the handler knows by now. Throws for the
   * actions that pre-empt the work (status, reset, ...); returns the ones the handler must act on.
   */
  fault(info?: Omit<Ctx, 'op' | 'user'>): Action | undefined;
}

export interface BaseRoute<Ex> {
  methods: readonly string[];
  path: RegExp;
  handle: (ex: Ex) => Promise<Outcome>;
}

/** The `{ status }` actions of a provider's faults: answer this error instead of doing the work. */
type StatusOf<Action> = Extract<Action, { status: number }>;

/** How one provider's dispatcher differs: its error shapes, authentication, write limits and latency. */
export interface Api<Ctx extends FaultContextBase, Action, R extends BaseRoute<Ex>, Ex extends BaseExchange<Ctx, Action>> {
  /** Whether path captures are percent-decoded (Drive ids) or handed on as sent. */
  decodeParams: boolean;
  notFound(path: string): Reply;
  methodNotAllowed(method: string, path: string): Reply;
  /** The provider's exchange for a matched route: its op and its own fields. */
  exchange(base: Pick<Ex, 'req' | 'url' | 'params'>, route: R): Omit<Ex, 'fault'>;
  /** Throws for the provider's own pre-empting actions beyond 'reset' and `{ status }`. */
  preempt?(action: Action, ex: Ex): void;
  /** Before the handler: authentication, quotas and write limits (sets ex.user). */
  admit(ex: Ex, route: R): void;
  /** A fault that lets the work happen and then answers this error instead (besides 'commitThenReset'). */
  afterCommit?(action: Action | undefined): StatusOf<Action> | undefined;
  injected(fault: StatusOf<Action>, route: R): Reply;
  tooLarge(limit: number, route: R): Reply;
  /** The provider's 500 for a bug in the emulator. */
  internalError(err: unknown): Reply;
  /** Added before the answer on this route (API routes; never OAuth or the consent pages). */
  latencyMs(route: R): number | undefined;
}

class InjectedStatus<Action> extends Error {
  constructor(readonly fault: StatusOf<Action>) {
    super(`injected ${fault.status}`);
  }
}
class InjectedReset extends Error {}

const isStatus = <Action>(action: Action): action is StatusOf<Action> =>
  typeof action === 'object' && action !== null && 'status' in action;

/** The emulator's injector and request counts. */
export interface DispatchContext<Ctx extends FaultContextBase, Action> {
  faults: FaultInjector<Ctx, Action>;
  stats: { count(op: Ctx['op']): void };
}

/**
 * Route lookup, the fault, the handler, the answer (or a dropped connection) for every request.
 * `internal` answers test/demo inspection paths, outside the provider's API and unauthenticated.
 */
export function createDispatcher<Ctx extends FaultContextBase, Action, R extends BaseRoute<Ex>, Ex extends BaseExchange<Ctx, Action>>(
  ctx: DispatchContext<Ctx, Action>,
  routes: R[],
  internal: (url: URL) => Reply | undefined,
  api: Api<Ctx, Action, R, Ex>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const dispatcher = new Dispatcher(ctx, routes, internal, api);
  return (req, res) => dispatcher.serve(req, res);
}

class Dispatcher<Ctx extends FaultContextBase, Action, R extends BaseRoute<Ex>, Ex extends BaseExchange<Ctx, Action>> {
  constructor(
    private readonly ctx: DispatchContext<Ctx, Action>,
    private readonly routes: R[],
    private readonly internal: (url: URL) => Reply | undefined,
    private readonly api: Api<Ctx, Action, R, Ex>,
  ) {}

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { api, ctx } = this;
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const internal = this.internal(url);
    if (internal) return sendReply(res, internal);
    const found = this.findRoute(req.method ?? 'GET', url.pathname);
    if ('status' in found) return sendReply(res, found);
    const { route, params } = found;
    let fired: Action | undefined;
    const ex = {
      ...api.exchange({ req, url, params }, route),
      fault(info?: Omit<Ctx, 'op' | 'user'>) {
        fired = ctx.faults.take({ op: ex.op, user: ex.user || undefined, ...info } as Ctx);
        if (fired === 'reset') throw new InjectedReset();
        if (isStatus(fired)) throw new InjectedStatus<Action>(fired);
        if (fired !== undefined) api.preempt?.(fired, ex);
        return fired;
      },
    } as Ex;
    let outcome: Outcome;
    try {
      api.admit(ex, route);
      const reply = await route.handle(ex);
      outcome = this.afterCommit(route, fired, reply);
    } catch (err) {
      outcome = this.errorOutcome(route, err, req);
    }
    ctx.stats.count(ex.op);
    const latency = api.latencyMs(route);
    if (latency) await delay(latency);
    if (outcome === 'destroy') req.socket.destroy();
    else sendReply(res, outcome);
  }

  private findRoute(method: string, path: string): { route: R; params: string[] } | Reply {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.path.exec(path);
      if (!match) continue;
      pathMatched = true;
      const params = match.slice(1).map((p) => (this.api.decodeParams ? safeDecode(p ?? '') : (p ?? '')));
      if (route.methods.includes(method)) return { route, params };
    }
    return pathMatched ? this.api.methodNotAllowed(method, path) : this.api.notFound(path);
  }

  /** The handler did its work; these faults now lose or spoil the answer. */
  private afterCommit(route: R, fired: Action | undefined, reply: Outcome): Outcome {
    if (fired === 'commitThenReset') return 'destroy';
    const status = this.api.afterCommit?.(fired);
    return status ? this.api.injected(status, route) : reply;
  }

  private errorOutcome(route: R, err: unknown, req: IncomingMessage): Outcome {
    if (err instanceof InjectedReset) return 'destroy';
    if (err instanceof ReplyError) return err.toReply();
    if (err instanceof InjectedStatus) return this.api.injected(err.fault as StatusOf<Action>, route);
    if (err instanceof BodyTooLargeError) return this.api.tooLarge(err.limit, route);
    // The client went away mid-body: there is nobody to answer.
    if (req.errored || req.socket.destroyed) return 'destroy';
    return this.api.internalError(err);
  }
}

/** A malformed escape stays as sent, so the lookup fails with 404 rather than crashing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
