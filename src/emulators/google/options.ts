import type { OAuthClientOptions } from '../shared/oauth/options';

export interface GoogleEmulatorOptions extends OAuthClientOptions {
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
  /** Drive: bytes a user may upload per day ("750 GB"); past it new uploads get 403 userRateLimitExceeded. Default unlimited. */
  driveUploadBytesPerDay?: number;
  /** Drive: which upload day a moment falls in (Google publishes no reset time). Default the UTC date; tests make days short. */
  driveQuotaDay?: (nowMs: number) => string;
  /** Photos: the project's daily request budget, every request with a valid token counted (default 10,000). */
  photosRequestsPerDay?: number;
  /**
   * Photos: which quota day a moment falls in; the budget resets when this changes. Default: the calendar date in
   * America/Los_Angeles ("midnight Pacific"). A test can make days short, e.g. (ms) => String(Math.floor(ms / 60_000)).
   */
  photosQuotaDay?: (nowMs: number) => string;
  /** Photos: per-user writes (uploads, batchCreate, albums.create) per clock minute; default unlimited. */
  photosWritesPerMinutePerUser?: number;
  /** Photos: answer 429 'concurrent write request' to a batchCreate while the same user has one in flight (default true). */
  photosRejectConcurrentBatchCreate?: boolean;
  /** Photos: "upload tokens are valid for one day" (default 24 h). */
  photosUploadTokenTtlMs?: number;
  /** Photos: how long a resumable upload URL stays usable (undocumented; default 24 h). */
  photosUploadSessionTtlMs?: number;
  /** Photos: X-Goog-Upload-Chunk-Granularity (default 262144, the docs' example). */
  photosChunkGranularity?: number;
  /** Photos: largest photo batchCreate accepts (default 200 MB). */
  photosMaxPhotoBytes?: number;
  /** Photos: largest video, and the largest upload at all (default 20 GB). */
  photosMaxVideoBytes?: number;
  /** Photos: "Each album can contain up to 20,000 media items." */
  photosAlbumMaxItems?: number;
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
      | 'driveQuotaDay'
      | 'photosRequestsPerDay'
      | 'photosQuotaDay'
      | 'photosRejectConcurrentBatchCreate'
      | 'photosUploadTokenTtlMs'
      | 'photosUploadSessionTtlMs'
      | 'photosChunkGranularity'
      | 'photosMaxPhotoBytes'
      | 'photosMaxVideoBytes'
      | 'photosAlbumMaxItems'
    >
  >;

const MiB = 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;
const pacificDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' });

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
    driveQuotaDay: opts.driveQuotaDay ?? ((ms: number) => new Date(ms).toISOString().slice(0, 10)),
    ...resolvePhotosOptions(opts),
  };
}

function resolvePhotosOptions(opts: GoogleEmulatorOptions) {
  return {
    // "10,000 requests per project per day" (developers.google.com/photos/overview/api-limits-quotas).
    photosRequestsPerDay: opts.photosRequestsPerDay ?? 10_000,
    photosQuotaDay: opts.photosQuotaDay ?? ((ms: number) => pacificDate.format(ms)),
    photosRejectConcurrentBatchCreate: opts.photosRejectConcurrentBatchCreate ?? true,
    photosUploadTokenTtlMs: opts.photosUploadTokenTtlMs ?? DAY_MS,
    photosUploadSessionTtlMs: opts.photosUploadSessionTtlMs ?? DAY_MS,
    photosChunkGranularity: opts.photosChunkGranularity ?? 256 * 1024,
    // Photos "200 MB", videos "20 GB" (guides/upload-media).
    photosMaxPhotoBytes: opts.photosMaxPhotoBytes ?? 200 * MiB,
    photosMaxVideoBytes: opts.photosMaxVideoBytes ?? 20 * 1024 * MiB,
    photosAlbumMaxItems: opts.photosAlbumMaxItems ?? 20_000,
  };
}
