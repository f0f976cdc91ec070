import type { Link } from '../shared/link';
import type { WriteRateLimiter } from '../shared/write-rate-limiter';
import type { DiskStore } from './disk/store';
import type { FaultInjector } from './faults';
import type { TokenStore } from './oauth/tokens';
import type { ResolvedOptions } from './options';
import type { YandexStats } from './stats';
import type { BackgroundFetches } from './upload/background';
import type { UploadLinkStore } from './upload/links';
import type { OperationStore } from './upload/operations';

/** Everything the handlers share; one per emulator instance. */
export interface YandexContext {
  /** Mutable: setOptions() merges into it, so handlers must read it per request. */
  opts: ResolvedOptions;
  tokens: TokenStore;
  disks: DiskStore;
  links: UploadLinkStore;
  operations: OperationStore;
  faults: FaultInjector;
  stats: YandexStats;
  limiter: WriteRateLimiter;
  /** The one link all PUT bodies to upload hrefs share (uploadBytesPerSecond). */
  uploadLink: Link;
  /** The one link all "upload by URL" downloads share (fetchBytesPerSecond). */
  fetchLink: Link;
  background: BackgroundFetches;
}
