import type { Config } from '../config';
import type { Sealer } from '../shared/crypto';
import type { DestinationWorker, WorkerFactory } from './destination';
import { googleDriveWorker } from './google-drive/worker';
import { googlePhotosWorker } from './google-photos/worker';
import type { CloudType } from './registry';
import { yandexDiskWorker } from './yandex-disk/worker';

/**
 * The worker side of every destination in registry.ts (the compiler wants one for each). Only processes that
 * write or revoke load this — the worker and the bridge — never the API: it pulls in the providers and their SDKs.
 */
const WORKERS: { readonly [C in CloudType]: WorkerFactory } = {
  google_drive: googleDriveWorker,
  yadisk: yandexDiskWorker,
  google_photos: googlePhotosWorker,
};

/** This process's worker side of `cloudType`, or null when its configuration does not offer that destination. */
export function openWorker(cloudType: CloudType, config: Config, sealer: Sealer): DestinationWorker | null {
  return WORKERS[cloudType](config, sealer);
}
