import { googleDrive } from './google-drive/destination';
import { googlePhotos } from './google-photos/destination';
import { yandexDisk } from './yandex-disk/destination';

/**
 * Every destination, once: the `cloud_type` values the API, the jobs and the workflow accept, the consent routes
 * and the configuration's sections all come from this list. Loaded by every role, the API included, so it holds
 * the descriptors only; each destination's worker side is listed in worker-registry.ts.
 */
export const DESTINATIONS = [googleDrive, yandexDisk, googlePhotos] as const;

export type RegisteredDestination = (typeof DESTINATIONS)[number];
export type CloudType = RegisteredDestination['cloudType'];

/** The cloud types, for z.enum. */
export const CLOUD_TYPES = DESTINATIONS.map((d) => d.cloudType) as [CloudType, ...CloudType[]];

export function destinationOf(cloudType: CloudType): RegisteredDestination {
  return DESTINATIONS.find((d) => d.cloudType === cloudType)!;
}
