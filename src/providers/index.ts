import type { Config } from '../config';
import type { Sealer } from '../shared/crypto';
import { TransferError } from '../shared/errors';
import type { CloudType } from '../shared/types';
import { PacerRegistry } from './pacer';
import type { DestinationProvider } from './types';
import { DriveAuthRegistry } from './google-drive/auth';
import { DriveCaller } from './google-drive/caller';
import { GoogleDriveProvider } from './google-drive/provider';

export type { DestinationProvider } from './types';

/** Builds the provider for one transfer from its sealed credentials. Long-lived per worker process. */
export class Providers {
  readonly #driveAuth: DriveAuthRegistry;
  readonly #pacers: PacerRegistry;

  constructor(private readonly config: Config, private readonly sealer: Sealer) {
    this.#driveAuth = new DriveAuthRegistry({
      clientId: config.GOOGLE_CLIENT_ID,
      clientSecret: config.GOOGLE_CLIENT_SECRET,
      authUrl: config.GOOGLE_AUTH_URL,
      tokenUrl: config.GOOGLE_TOKEN_URL,
      revokeUrl: config.GOOGLE_REVOKE_URL,
    });
    this.#pacers = new PacerRegistry(config.DRIVE_WRITES_PER_SECOND, config.DRIVE_WRITE_BURST);
  }

  forTransfer(cloudType: CloudType, transferId: string, sealedRefreshToken: string): DestinationProvider {
    if (cloudType !== 'google_drive') {
      throw new TransferError('cloud_type_not_supported', `destination ${cloudType} is not supported yet`, false);
    }
    const auth = this.#driveAuth.get(transferId, this.sealer.open('refresh-token', sealedRefreshToken));
    return new GoogleDriveProvider(auth, new DriveCaller(auth, this.#pacers.get(transferId)), {
      apiUrl: this.config.GOOGLE_API_URL,
      multipartMaxBytes: this.config.MULTIPART_MAX_BYTES,
      chunkBytes: this.config.UPLOAD_CHUNK_BYTES,
      sealer: this.sealer,
    });
  }

  forget(transferId: string): void {
    this.#driveAuth.forget(transferId);
  }
}
