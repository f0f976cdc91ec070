import type { RateLimitAnswer } from './errors';
import { PHOTOS_OPS } from './photos/ops';

export const OP_KINDS = [
  'auth',
  'token',
  'refresh',
  'revoke',
  'tokeninfo',
  'generateIds',
  'createMetadata',
  'multipart',
  'media',
  'resumableInit',
  'chunk',
  'statusQuery',
  'get',
  'list',
  'patch',
  'delete',
  ...PHOTOS_OPS,
] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** The OAuth endpoints: they answer RFC 6749 errors, never Drive's rate-limit errors. */
const OAUTH_OPS: ReadonlySet<OpKind> = new Set(['auth', 'token', 'refresh', 'revoke', 'tokeninfo']);
const PHOTOS_OP_SET: ReadonlySet<OpKind> = new Set(PHOTOS_OPS);

export interface StatusFault {
  status: number;
  reason?: string;
  message?: string;
  retryAfter?: number;
}

export type FaultAction =
  /** Answer this error without doing the work. */
  | StatusFault
  /**
   * Drive ops only, reads included: one of Drive's rate-limit answers (the same body the write limiter sends,
   * counted in stats.rateLimited), with Retry-After from here or from retryAfterSeconds.
   */
  | { rateLimit: RateLimitAnswer; retryAfter?: number }
  /** Destroy the socket before doing anything. */
  | 'reset'
  /** Do the write / commit fully, then destroy the socket: "response lost after the write happened". */
  | 'commitThenReset'
  /** Do the write / commit fully, then answer 500. */
  | 'commitThen500'
  /** Do the write / commit fully, then answer this error (e.g. a 503 from a front end that lost the answer). */
  | { commitThen: StatusFault }
  /**
   * chunk: commit just this many bytes of the chunk (a 256 KiB multiple) and answer 308.
   * photosUploadChunk: commit just this many bytes, then cut the connection.
   */
  | { partialCommit: number }
  /** chunk / statusQuery (Drive: 404 from now on), photosUploadChunk / photosUploadQuery (the session is cancelled). */
  | 'expireSession'
  /** multipart / media / chunk only: the stored checksums will not match the bytes sent. */
  | 'corruptStored';

export interface FaultContext {
  op: OpKind;
  user?: string;
  fileName?: string;
  fileId?: string;
  /** Chunk requests: the Content-Range of the chunk (total undefined for '*'). */
  range?: { start: number; end: number; total?: number };
}

export interface FaultRule {
  op: OpKind | '*';
  /** How many matching requests this rule hits; default 1. */
  times?: number;
  when?: (ctx: FaultContext) => boolean;
  action: FaultAction;
}

export interface ChaosOptions {
  seed: number;
  /** Chance (0..1) that an eligible request gets a fault. */
  probability: number;
  actions: FaultAction[];
  /** Default: every op. */
  ops?: OpKind[];
}

export interface FiredFault {
  ctx: FaultContext;
  action: FaultAction;
}

const CHUNK_GRANULARITY = 256 * 1024;

/** Whether an action means anything for this request; rules whose action does not apply stay armed. */
export function appliesTo(action: FaultAction, ctx: FaultContext): boolean {
  if (typeof action === 'object' && 'partialCommit' in action) {
    const chunkOp = ctx.op === 'chunk' || ctx.op === 'photosUploadChunk';
    return chunkOp && ctx.range !== undefined && action.partialCommit < ctx.range.end - ctx.range.start + 1;
  }
  // Drive's rate-limit bodies; Photos answers its own 429s (a `{ status: 429 }` fault on a Photos op).
  if (typeof action === 'object' && 'rateLimit' in action) return !OAUTH_OPS.has(ctx.op) && !PHOTOS_OP_SET.has(ctx.op);
  if (action === 'expireSession') return ['chunk', 'statusQuery', 'photosUploadChunk', 'photosUploadQuery'].includes(ctx.op);
  if (action === 'corruptStored') return ctx.op === 'multipart' || ctx.op === 'media' || ctx.op === 'chunk';
  return true;
}

/** mulberry32: tiny seeded PRNG so chaos runs are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rules: Array<{ rule: FaultRule; left: number }> = [];
  private chaosRun?: { options: ChaosOptions; random: () => number };
  /** Every fault that fired, in order (for assertions and debugging). */
  readonly fired: FiredFault[] = [];

  add(rule: FaultRule): void {
    const { action } = rule;
    if (typeof action === 'object' && 'partialCommit' in action) {
      const bytes = action.partialCommit;
      if (!Number.isInteger(bytes) || bytes < 0 || bytes % CHUNK_GRANULARITY !== 0) {
        throw new Error(`partialCommit must be a non-negative multiple of ${CHUNK_GRANULARITY}, got ${bytes}`);
      }
    }
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
    this.rules.push({ rule, left: times });
  }

  chaos(options: ChaosOptions): void {
    if (options.probability < 0 || options.probability > 1) throw new Error('probability must be within 0..1');
    if (options.actions.length === 0) throw new Error('chaos needs at least one action');
    this.chaosRun = { options, random: seededRandom(options.seed) };
  }

  clear(): void {
    this.rules = [];
    this.chaosRun = undefined;
  }

  /** Consumes and returns the fault for this request, if any. Called once per request by the handler. */
  take(ctx: FaultContext): FaultAction | undefined {
    const action = this.fromRules(ctx) ?? this.fromChaos(ctx);
    if (action !== undefined) this.fired.push({ ctx, action });
    return action;
  }

  private fromRules(ctx: FaultContext): FaultAction | undefined {
    const index = this.rules.findIndex(
      ({ rule }) =>
        (rule.op === '*' || rule.op === ctx.op) && appliesTo(rule.action, ctx) && (rule.when?.(ctx) ?? true),
    );
    const entry = this.rules[index];
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left === 0) this.rules.splice(index, 1);
    return entry.rule.action;
  }

  private fromChaos(ctx: FaultContext): FaultAction | undefined {
    if (!this.chaosRun) return undefined;
    const { options, random } = this.chaosRun;
    if (options.ops && !options.ops.includes(ctx.op)) return undefined;
    if (random() >= options.probability) return undefined;
    const eligible = options.actions.filter((action) => appliesTo(action, ctx));
    return eligible[Math.floor(random() * eligible.length)];
  }
}
