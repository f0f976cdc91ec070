import { z } from 'zod';
import { parseHostList } from '../shared/hosts';
import { originListSetting, parseOriginList } from '../api/cors-origins';
import { trustProxySetting } from '../api/trust-proxy';
import { googleOAuthEndpoints } from '../providers/google-oauth';
import { DESTINATIONS } from '../providers/registry';
import { bool, hostList, httpUrl, positiveInt, SettingsRule } from './fields';

/**
 * The one place where environment variables are read and validated.
 * Every role calls `loadConfig()` at start-up; a bad value stops the process with a message naming the variable.
 * Each destination's variables are its own section (src/providers/<name>/config.ts), composed in here.
 */

const MIN_SECRET_KEY = 32;
const secretKey = z.string().min(MIN_SECRET_KEY, `must be at least ${MIN_SECRET_KEY} characters (e.g. \`openssl rand -base64 32\`)`);

/** Comma-separated secrets; messages say which entry is wrong, never what it holds. */
const previousSecretKeys = z.string().transform((value, ctx) => {
  const keys = value.split(',').map((k) => k.trim()).filter((k) => k !== '');
  keys.forEach((key, i) => {
    if (key.length < MIN_SECRET_KEY) {
      ctx.addIssue({ code: 'custom', message: `key ${i + 1} of ${keys.length} is ${key.length} characters; each must be at least ${MIN_SECRET_KEY}` });
    }
    const first = keys.indexOf(key);
    if (first < i) ctx.addIssue({ code: 'custom', message: `key ${i + 1} is the same as key ${first + 1}` });
  });
  return keys;
});

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** All destinations' variables in one shape (each names its own with its prefix, so none collide). */
type DestinationShape = UnionToIntersection<(typeof DESTINATIONS)[number]['settings']['shape']>;

function destinationSettings(): DestinationShape {
  return Object.assign({}, ...DESTINATIONS.map((d) => d.settings.shape)) as DestinationShape;
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PUBLIC_URL: httpUrl.default('http://127.0.0.1:8080'),

  /** Proxies allowed to name the client's address (X-Forwarded-For): hop count or addresses/ranges; unset = none. */
  TRUST_PROXY: trustProxySetting.default(false),
  /** Open event streams (GET …/events) per API process, in total and per client address (an IPv6 /64 counts as one). */
  SSE_MAX_STREAMS: positiveInt.default(1000),
  SSE_MAX_STREAMS_PER_CLIENT: positiveInt.default(20),
  /** An event stream is ended after this long; the browser's EventSource reconnects 2 s later with Last-Event-ID. */
  SSE_STREAM_MAX_SECONDS: positiveInt.default(600),
  /** After SIGTERM the API answers /readyz 503 but keeps serving this long, so the load balancer moves away first. */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(120).default(5),

  AMQP_URL: z.string().regex(/^amqps?:\/\//, 'must start with amqp:// or amqps://').default('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_QUEUE: z.string().min(1).max(200).regex(/^[\w.:-]+$/).default('cloud_archive.transfers'),
  AMQP_PREFETCH: positiveInt.max(1000).default(16),
  AMQP_PUBLISH_TIMEOUT_MS: positiveInt.default(5000),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('cloud-archive'),
  /** TLS to Temporal (Temporal Cloud, a self-hosted frontend with TLS); implied by an API key or a client certificate. */
  TEMPORAL_TLS: bool.default(false),
  /** Temporal Cloud API key (sent as a bearer token; needs TLS). */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** mTLS client certificate and key (PEM files), e.g. a Temporal Cloud namespace's CA-signed pair; set both or neither. */
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  /** CA that signed the server's certificate, when not a publicly trusted one (self-hosted). */
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),

  ...destinationSettings(),
  /** Google's OAuth endpoints, shared by the Google destinations (so in neither one's section). */
  ...googleOAuthEndpoints.shape,

  GALLERY_API_URL: httpUrl.default('https://app.litegallery.io'),
  ARCHIVE_URL_HOSTS: hostList.default(parseHostList('arch-d.lite.gallery,arch.litegallery.io,arch.lite.gallery')),
  SOURCE_URL_HOSTS: hostList.default(parseHostList('up-d.lite.gallery,up.lite.gallery')),
  REDIRECT_URL_HOSTS: hostList.default(parseHostList('*.lite.gallery,*.litegallery.io')),
  /** Origins whose pages may POST /cloud_archive from the browser (CORS); `https://*.domain` allows its subdomains. */
  CORS_ORIGINS: originListSetting.default(parseOriginList('https://*.lite.gallery,https://*.litegallery.io')),
  /** Source downloads may resolve to loopback/private addresses only when this is on (local emulators). */
  ALLOW_PRIVATE_SOURCE_ADDRESSES: bool.default(false),
  /** The listing and photos may be fetched over plain http (local emulators); otherwise https only, every hop. */
  ALLOW_HTTP_SOURCES: bool.default(false),
  /** A download (listing or photo) that waits this long without receiving 64 KiB is aborted and retried. */
  SOURCE_STALL_SECONDS: positiveInt.max(3600).default(60),

  COMPLETION_CALLBACK_URL: httpUrl,
  CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters'),
  /** Seals new values (OAuth state, refresh tokens, upload sessions) and opens them. */
  SECRET_KEY: secretKey,
  /** Older SECRET_KEYs, still accepted for opening through a rotation (transfers in flight hold values sealed with them). */
  SECRET_KEYS_PREVIOUS: previousSecretKeys.default([]),

  /** Files transferred in parallel for one gallery; also bounds its share of a worker (fairness between galleries). */
  TRANSFER_CONCURRENCY: positiveInt.max(64).default(8),
  /**
   * How fast an account's write pace rises while its writes succeed: writes/s added per second (src/providers/aimd.ts).
   * Larger finds a generous account's rate sooner; each probe past the limit costs one refused write.
   */
  WRITE_PACE_STEP: z.coerce.number().positive().max(100).default(1),
  /** Files at most this size are sent in one multipart request; larger ones use Drive's resumable protocol. */
  MULTIPART_MAX_BYTES: positiveInt.max(5 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Small files are grouped into one activity up to this many files (fewer Temporal round trips per file). */
  FILES_PER_ACTIVITY: positiveInt.max(100).default(16),
  /** Album folders created per activity: each activity's result records progress, so a retry redoes at most one batch. */
  FOLDERS_PER_ACTIVITY: positiveInt.max(1000).default(100),
  /** Limit of one folder activity; it stops early with what it made when most of this has passed (slow pace, rate limits). */
  FOLDER_ACTIVITY_TIMEOUT_SECONDS: positiveInt.min(10).max(3600).default(300),
  /** Listing entries loaded per workflow page. */
  LISTING_PAGE_SIZE: positiveInt.max(1000).default(500),
  LISTING_MAX_BYTES: positiveInt.default(64 * 1024 * 1024),
  /** Listings a worker keeps in memory, counted in downloaded bytes (least recently used go first). */
  LISTING_CACHE_BYTES: positiveInt.default(128 * 1024 * 1024),

  /** A file activity whose worker stops heartbeating this long is retried elsewhere (from its checkpoint). */
  FILE_HEARTBEAT_TIMEOUT_SECONDS: positiveInt.min(2).max(600).default(30),

  /** A transfer that ended with failed photos stays open this long for support's `retryFailed`. */
  RETRY_WINDOW_HOURS: z.coerce.number().min(0).max(24 * 30).default(72),

  /** A transfer that meets a destination's daily cap parks; without a published reset time it tries again after this. */
  QUOTA_PROBE_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
  /** Rate limits this long with no write of the account succeeding count as a daily cap (Drive's 750 GB a day). */
  QUOTA_PARK_AFTER_MINUTES: z.coerce.number().positive().max(24 * 60).default(30),

  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(64),
  /** Photos copied at once by one worker, shared in turns between the transfers it serves (no starvation). */
  WORKER_MAX_CONCURRENT_FILES: positiveInt.max(1000).default(32),
  WORKER_SHUTDOWN_GRACE_SECONDS: positiveInt.default(20),
  /** Probe ports: /healthz (alive) and /readyz (worker polling Temporal; bridge consuming from RabbitMQ). */
  /** The Temporal SDK's own Prometheus metrics (task slots, latencies) of the worker; 0 turns them off. */
  WORKER_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  BRIDGE_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** Prebuilt workflow bundle (production image); unset → bundled from source at start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
});

/** Each destination's rules across its variables, checked on the whole configuration (a superset of its section). */
const destinationRules = DESTINATIONS.flatMap<SettingsRule<z.output<typeof schema>>>((d) => d.rules ?? []);

/** Rules across variables: the destinations' own, then these. */
const validated = schema
  .superRefine((c, ctx) => {
    for (const rule of destinationRules) if (!rule.holds(c)) ctx.addIssue({ code: 'custom', message: rule.message, path: [rule.path] });
  })
  // Else every listing download would be refused: better said at start-up than by every transfer.
  .refine((c) => c.ALLOW_HTTP_SOURCES || new URL(c.GALLERY_API_URL).protocol === 'https:', {
    message: 'must be https (or set ALLOW_HTTP_SOURCES=true for local emulators)',
    path: ['GALLERY_API_URL'],
  })
  .refine((c) => !c.SECRET_KEYS_PREVIOUS.includes(c.SECRET_KEY), {
    message: 'holds the current SECRET_KEY: list only the older keys',
    path: ['SECRET_KEYS_PREVIOUS'],
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  return parseWith(validated, env);
}

/**
 * Only `keys`, with the services' names, rules and defaults: for support tools (`npm run dlq`) that need a few
 * variables and must not demand the rest (OAuth clients, secrets) they never use.
 */
export function parseConfigSubset<K extends keyof Config>(env: NodeJS.ProcessEnv, keys: readonly K[]): Pick<Config, K> {
  const mask = Object.fromEntries(keys.map((key) => [key, true])) as { [P in keyof Config]?: true };
  return parseWith(schema.pick(mask), env) as Pick<Config, K>;
}

function parseWith<T>(rules: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  // Empty strings count as "not set", so `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = rules.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** For process entry points: print the problem and exit instead of a stack trace. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return exitOnConfigError(() => parseConfig(env));
}

/** loadConfig for a tool that needs only `keys` (see parseConfigSubset). */
export function loadConfigSubset<K extends keyof Config>(keys: readonly K[], env: NodeJS.ProcessEnv = process.env): Pick<Config, K> {
  return exitOnConfigError(() => parseConfigSubset(env, keys));
}

function exitOnConfigError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
