import type { Link } from '../shared/link';
import type { DriveDailyUploads } from './drive/daily-uploads';
import type { DriveStore } from './drive/store';
import type { DriveWriteRateLimiter } from './drive/rateLimiter';
import type { FaultInjector } from './faults';
import type { TokenStore } from './oauth/tokens';
import type { ResolvedOptions } from './options';
import type { PhotosLibraries } from './photos/library';
import type { PhotosQuota } from './photos/quota';
import type { PhotosUploads } from './photos/uploads';
import type { GoogleStats } from './stats';
import type { SessionStore } from './upload/sessions';

/** Everything the handlers share; one per emulator instance. */
export interface GoogleContext {
  /** Mutable: setOptions() merges into it, so handlers must read it per request. */
  opts: ResolvedOptions;
  tokens: TokenStore;
  drives: DriveStore;
  sessions: SessionStore;
  faults: FaultInjector;
  stats: GoogleStats;
  limiter: DriveWriteRateLimiter;
  /** Drive's daily upload limit per user. */
  dailyUploads: DriveDailyUploads;
  /** The one link all /upload request bodies share (uploadBytesPerSecond), Photos uploads included. */
  uploadLink: Link;
  photos: { quota: PhotosQuota; uploads: PhotosUploads; libraries: PhotosLibraries };
}
