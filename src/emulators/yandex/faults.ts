import * as shared from '../shared/faults';

export const OP_KINDS = [
  'authorize',
  'token',
  'refresh',
  'revoke',
  'diskInfo',
  'mkdir',
  'getResource',
  'patchResource',
  'deleteResource',
  'move',
  'uploadLink',
  /** PUT of the file body to an upload href. */
  'upload',
  'uploadByUrl',
  'operation',
] as const;
export type OpKind = (typeof OP_KINDS)[number];

export interface StatusFault {
  status: number;
  /** The `error` name in the body; defaults to the usual one for the status. */
  error?: string;
  message?: string;
  retryAfter?: number;
}

export type FaultAction =
  /** Answer this error without doing the work. */
  | StatusFault
  /** Destroy the socket before doing anything. */
  | 'reset'
  /** Do the write fully, then destroy the socket: "response lost after the write happened". */
  | 'commitThenReset'
  /** upload / uploadByUrl only: the stored copy has one byte flipped (same size, other MD5 and SHA-256). */
  | 'corruptStored'
  /** upload / uploadByUrl only: the stored copy lacks the last byte received (other size and checksums). */
  | 'truncateStored';

/** How a stored copy differs from the bytes received. */
export type StorageDamage = Extract<FaultAction, 'corruptStored' | 'truncateStored'>;

export function storageDamage(action: FaultAction | undefined): StorageDamage | undefined {
  return action === 'corruptStored' || action === 'truncateStored' ? action : undefined;
}

export interface FaultContext {
  op: OpKind;
  user?: string;
  /** The Disk path the request is about ("/a/b.jpg"), when it has one. */
  path?: string;
}

export type FaultRule = shared.FaultRule<FaultContext, FaultAction>;
export type ChaosOptions = shared.ChaosOptions<FaultContext, FaultAction>;
export type FiredFault = shared.FiredFault<FaultContext, FaultAction>;

/** Whether an action means anything for this request; rules whose action does not apply stay armed. */
function appliesTo(action: FaultAction, ctx: FaultContext): boolean {
  return storageDamage(action) === undefined || ctx.op === 'upload' || ctx.op === 'uploadByUrl';
}

/** The shared injector with Yandex op kinds and the actions that make sense here. */
export class FaultInjector extends shared.FaultInjector<FaultContext, FaultAction> {
  constructor() {
    super({ appliesTo });
  }
}
