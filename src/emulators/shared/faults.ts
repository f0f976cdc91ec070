/** What every provider's fault context has: the kind of request and, once known, the acting user. */
export interface FaultContextBase {
  op: string;
  user?: string;
}

export interface FaultRule<Ctx extends FaultContextBase, Action> {
  op: Ctx['op'] | '*';
  /** How many matching requests this rule hits; default 1. */
  times?: number;
  when?: (ctx: Ctx) => boolean;
  action: Action;
}

export interface ChaosOptions<Ctx extends FaultContextBase, Action> {
  seed: number;
  /** Chance (0..1) that an eligible request gets a fault. */
  probability: number;
  actions: Action[];
  /** Default: every op. */
  ops?: Array<Ctx['op']>;
}

export interface FiredFault<Ctx extends FaultContextBase, Action> {
  ctx: Ctx;
  action: Action;
}

/** What differs between the providers' injectors: which actions make sense where. */
export interface FaultPolicy<Ctx extends FaultContextBase, Action> {
  /** Whether an action means anything for this request; rules whose action does not apply stay armed. */
  appliesTo(action: Action, ctx: Ctx): boolean;
  /** Throws for an action no request could honour, so a test learns at add() rather than by a fault never firing. */
  check?(action: Action): void;
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

/** Targeted rules (first match wins, each for `times` requests), then seeded chaos; one lookup per request. */
export class FaultInjector<Ctx extends FaultContextBase, Action> {
  private rules: Array<{ rule: FaultRule<Ctx, Action>; left: number }> = [];
  private chaosRun?: { options: ChaosOptions<Ctx, Action>; random: () => number };
  /** Every fault that fired, in order (for assertions and debugging). */
  readonly fired: Array<FiredFault<Ctx, Action>> = [];

  constructor(private readonly policy: FaultPolicy<Ctx, Action>) {}

  add(rule: FaultRule<Ctx, Action>): void {
    this.policy.check?.(rule.action);
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
    this.rules.push({ rule, left: times });
  }

  chaos(options: ChaosOptions<Ctx, Action>): void {
    if (options.probability < 0 || options.probability > 1) throw new Error('probability must be within 0..1');
    if (options.actions.length === 0) throw new Error('chaos needs at least one action');
    this.chaosRun = { options, random: seededRandom(options.seed) };
  }

  clear(): void {
    this.rules = [];
    this.chaosRun = undefined;
  }

  /** Consumes and returns the fault for this request, if any. Called once per request by the handler. */
  take(ctx: Ctx): Action | undefined {
    const action = this.fromRules(ctx) ?? this.fromChaos(ctx);
    if (action !== undefined) this.fired.push({ ctx, action });
    return action;
  }

  private fromRules(ctx: Ctx): Action | undefined {
    const index = this.rules.findIndex(
      ({ rule }) =>
        (rule.op === '*' || rule.op === ctx.op) && this.policy.appliesTo(rule.action, ctx) && (rule.when?.(ctx) ?? true),
    );
    const entry = this.rules[index];
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left === 0) this.rules.splice(index, 1);
    return entry.rule.action;
  }

  /** The draw is among the actions that apply to this request, so `probability` is what an eligible request sees. */
  private fromChaos(ctx: Ctx): Action | undefined {
    if (!this.chaosRun) return undefined;
    const { options, random } = this.chaosRun;
    if (options.ops && !options.ops.includes(ctx.op)) return undefined;
    if (random() >= options.probability) return undefined;
    const eligible = options.actions.filter((action) => this.policy.appliesTo(action, ctx));
    return eligible[Math.floor(random() * eligible.length)];
  }
}
