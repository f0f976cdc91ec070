import type { OAuthClientOptions } from '../shared/oauth/options';

export interface YandexEmulatorOptions extends OAuthClientOptions {
  /** Default 31536000: Yandex tokens live about a year. */
  accessTokenTtlSeconds?: number;
  /** Per-user token bucket for writes (folder PUT, PATCH, upload links, upload by URL, PUT to an href); default unlimited. */
  writesPerSecond?: number;
  /** Token bucket size; default 1. */
  writeBurst?: number;
  /** When set, 429 answers carry Retry-After. */
  retryAfterSeconds?: number;
  /** Added before every Disk API / uploader response. */
  latencyMs?: number;
  /** One shared link: all PUT bodies to upload hrefs together are read at most this fast. */
  uploadBytesPerSecond?: number;
  /** How fast "upload by URL" downloads its source (one shared link as well). */
  fetchBytesPerSecond?: number;
  /** Per user; exceeding it answers 507 InsufficientStorageError. */
  storageQuotaBytes?: number;
  /** Largest file accepted; default 50 GiB. */
  maxFileBytes?: number;
  /** Keep file bytes in memory only up to this size (default 1 MiB); md5, sha256 and size are always kept. */
  keepContentMaxBytes?: number;
  /** Upload hrefs die this long after they were handed out; default 30 minutes. */
  uploadLinkTtlMs?: number;
  /** An uploaded file shows up only this long after its 201 (default 0); its operation stays in-progress until then. */
  finalizeDelayMs?: number;
  /** Clock in epoch ms (default Date.now); lets tests expire codes, tokens and hrefs without sleeping. */
  now?: () => number;
}

export type ResolvedOptions = YandexEmulatorOptions &
  Required<
    Pick<
      YandexEmulatorOptions,
      | 'consent'
      | 'accessTokenTtlSeconds'
      | 'writeBurst'
      | 'maxFileBytes'
      | 'keepContentMaxBytes'
      | 'uploadLinkTtlMs'
      | 'finalizeDelayMs'
      | 'now'
    >
  >;

const MiB = 1024 * 1024;

export function resolveOptions(opts: YandexEmulatorOptions): ResolvedOptions {
  return {
    ...opts,
    consent: opts.consent ?? 'allow',
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 365 * 24 * 3600,
    writeBurst: opts.writeBurst ?? 1,
    // The paid-plan per-file limit commonly cited for Yandex Disk.
    maxFileBytes: opts.maxFileBytes ?? 50 * 1024 * MiB,
    keepContentMaxBytes: opts.keepContentMaxBytes ?? MiB,
    // "The link is valid for 30 minutes" (upload reference).
    uploadLinkTtlMs: opts.uploadLinkTtlMs ?? 30 * 60 * 1000,
    finalizeDelayMs: opts.finalizeDelayMs ?? 0,
    now: opts.now ?? Date.now,
  };
}
