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

/** Whether an action means anything for this request; rules whose action does not apply stay armed. */
function appliesTo(action: FaultAction, ctx: FaultContext): boolean {
  return storageDamage(action) === undefined || ctx.op === 'upload' || ctx.op === 'uploadByUrl';
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

/** Same API as the Google emulator's injector, with Yandex op kinds and the actions that make sense here. */
export class FaultInjector {
  private rules: Array<{ rule: FaultRule; left: number }> = [];
  private chaosRun?: { options: ChaosOptions; random: () => number };
  /** Every fault that fired, in order (for assertions and debugging). */
  readonly fired: FiredFault[] = [];

  add(rule: FaultRule): void {
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
      ({ rule }) => (rule.op === '*' || rule.op === ctx.op) && appliesTo(rule.action, ctx) && (rule.when?.(ctx) ?? true),
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
    const action = options.actions[Math.floor(random() * options.actions.length)]!;
    return appliesTo(action, ctx) ? action : undefined;
  }
}
