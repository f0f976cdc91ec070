export interface GoogleEmulatorOptions {
  clientId: string;
  clientSecret: string;
  /** Exact-match allowlist for redirect_uri. */
  redirectUris: string[];
  /** 'allow' (default) 302s straight back; 'page' renders Allow/Deny; 'deny' answers error=access_denied. */
  consent?: 'allow' | 'deny' | 'page';
  /** Simulates granular consent (the user unticks scopes); default grants everything requested. */
  grantedScopes?: (requested: string[]) => string[];
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Per-user token bucket for writes (creates, PATCH, DELETE); default unlimited. */
  writesPerSecond?: number;
  /** Token bucket size; default 1. */
  writeBurst?: number;
  /** Default 'alternate' (403 userRateLimitExceeded, then 429 rateLimitExceeded, ...). */
  rateLimitStyle?: '403' | '429' | 'alternate';
  /** When set, rate-limit answers carry Retry-After. */
  retryAfterSeconds?: number;
  /** Added before every Drive / upload response. */
  latencyMs?: number;
  /** One shared link: all request bodies to /upload together are read at most this fast. */
  uploadBytesPerSecond?: number;
  /** Resumable session lifetime; default 7 days. */
  sessionTtlMs?: number;
  /** Per user; exceeding it answers 403 storageQuotaExceeded. */
  storageQuotaBytes?: number;
  /** Keep file bytes in memory only up to this size (default 1 MiB); checksums and size are always kept. */
  keepContentMaxBytes?: number;
  /** Largest file content accepted by uploadType=multipart|media; default 5 MiB. */
  multipartMaxBytes?: number;
  /** Clock in epoch ms (default Date.now); lets tests expire codes, tokens and sessions without sleeping. */
  now?: () => number;
}

export type ResolvedOptions = GoogleEmulatorOptions &
  Required<
    Pick<
      GoogleEmulatorOptions,
      | 'consent'
      | 'grantedScopes'
      | 'accessTokenTtlSeconds'
      | 'writeBurst'
      | 'rateLimitStyle'
      | 'sessionTtlMs'
      | 'keepContentMaxBytes'
      | 'multipartMaxBytes'
      | 'now'
    >
  >;

const MiB = 1024 * 1024;

export function resolveOptions(opts: GoogleEmulatorOptions): ResolvedOptions {
  return {
    ...opts,
    consent: opts.consent ?? 'allow',
    grantedScopes: opts.grantedScopes ?? ((requested) => requested),
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
    writeBurst: opts.writeBurst ?? 1,
    rateLimitStyle: opts.rateLimitStyle ?? 'alternate',
    // "A resumable session URI expires after one week."
    sessionTtlMs: opts.sessionTtlMs ?? 7 * 24 * 3600 * 1000,
    keepContentMaxBytes: opts.keepContentMaxBytes ?? MiB,
    // "uploadType=multipart: ≤5 MB"
    multipartMaxBytes: opts.multipartMaxBytes ?? 5 * MiB,
    now: opts.now ?? Date.now,
  };
}
