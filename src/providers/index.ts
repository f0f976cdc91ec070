import type { Config } from '../config';
import { SealError, type Sealer } from '../shared/crypto';
import { REFRESH_TOKEN_UNREADABLE, TransferError } from '../shared/errors';
import type { CloudType } from '../shared/types';
import { PacerRegistry } from './pacer';
import type { DestinationProvider } from './types';
import { DriveAuth, driveAuthFor } from './google-drive/auth';
import { ProviderCaller } from './caller';
import { toTransferError } from './google-drive/errors';
import { GoogleDriveProvider } from './google-drive/provider';
import { YandexApi } from './yandex-disk/api';
import { YandexAuth } from './yandex-disk/auth';
import { googleOAuthSettings, yandexOAuthSettings } from './oauth-settings';
import { PerTransfer } from './per-transfer';
import { toYandexError } from './yandex-disk/errors';
import { YandexDiskProvider } from './yandex-disk/provider';

export type { DestinationProvider } from './types';

/** Builds the provider for one transfer from its sealed credentials. Long-lived per worker process. */
export class Providers {
  readonly #driveAuth: PerTransfer<DriveAuth>;
  readonly #pacers: PacerRegistry;
  readonly #yandexPacers: PacerRegistry;
  readonly #yandexAuth: PerTransfer<YandexAuth> | null;

  constructor(private readonly config: Config, private readonly sealer: Sealer) {
    const google = googleOAuthSettings(config);
    this.#driveAuth = new PerTransfer((refreshToken) => driveAuthFor(google, refreshToken));
    this.#pacers = new PacerRegistry(config.DRIVE_WRITES_PER_SECOND, config.DRIVE_WRITE_BURST);
    this.#yandexPacers = new PacerRegistry(config.YANDEX_WRITES_PER_SECOND, config.YANDEX_WRITE_BURST);
    const yandex = yandexOAuthSettings(config);
    this.#yandexAuth = yandex ? new PerTransfer((refreshToken) => new YandexAuth(yandex, refreshToken)) : null;
  }

  forTransfer(cloudType: CloudType, transferId: string, sealedRefreshToken: string): DestinationProvider {
    if (cloudType === 'yadisk') return this.#yandex(transferId, sealedRefreshToken);
    const auth = this.#driveAuth.get(transferId, this.#refreshToken(sealedRefreshToken));
    return new GoogleDriveProvider(auth, new ProviderCaller(auth, this.#pacers.get(transferId), toTransferError), {
      apiUrl: this.config.GOOGLE_API_URL,
      multipartMaxBytes: this.config.MULTIPART_MAX_BYTES,
      chunkBytes: this.config.UPLOAD_CHUNK_BYTES,
      sealer: this.sealer,
    });
  }

  forget(transferId: string): void {
    this.#driveAuth.forget(transferId);
    this.#yandexAuth?.forget(transferId);
  }

  /**
   * A token this worker cannot open (typically: sealed with a SECRET_KEY that was rotated away) fails every step
   * of the transfer the same way, so it is final and stops the transfer, with the key id in the reason.
   */
  #refreshToken(sealed: string): string {
    try {
      return this.sealer.open('refresh-token', sealed);
    } catch (err) {
      if (err instanceof SealError) throw new TransferError(REFRESH_TOKEN_UNREADABLE, `the transfer's refresh token cannot be opened: ${err.message}`, false);
      throw err;
    }
  }

  #yandex(transferId: string, sealedRefreshToken: string): DestinationProvider {
    if (!this.#yandexAuth) {
      throw new TransferError('cloud_type_not_supported', 'this worker has no YANDEX_CLIENT_ID: it cannot write to Yandex Disk', false);
    }
    const auth = this.#yandexAuth.get(transferId, this.#refreshToken(sealedRefreshToken));
    return new YandexDiskProvider(
      auth,
      new ProviderCaller(auth, this.#yandexPacers.get(transferId), toYandexError),
      new YandexApi(this.config.YANDEX_API_URL, auth),
      { serverSideFetch: this.config.YANDEX_SERVER_SIDE_FETCH },
    );
  }
}
