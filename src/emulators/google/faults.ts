import * as shared from '../shared/faults';
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
  'about',
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

export type FaultRule = shared.FaultRule<FaultContext, FaultAction>;
export type ChaosOptions = shared.ChaosOptions<FaultContext, FaultAction>;
export type FiredFault = shared.FiredFault<FaultContext, FaultAction>;

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

/** A partial commit cuts a chunk on Drive's chunk granularity, as a real front end would. */
function checkAction(action: FaultAction): void {
  if (typeof action === 'object' && 'partialCommit' in action) {
    const bytes = action.partialCommit;
    if (!Number.isInteger(bytes) || bytes < 0 || bytes % CHUNK_GRANULARITY !== 0) {
      throw new Error(`partialCommit must be a non-negative multiple of ${CHUNK_GRANULARITY}, got ${bytes}`);
    }
  }
}

/** The shared injector with Google's op kinds (Drive, Photos, OAuth) and the actions that make sense for them. */
export class FaultInjector extends shared.FaultInjector<FaultContext, FaultAction> {
  constructor() {
    super({ appliesTo, check: checkAction });
  }
}
