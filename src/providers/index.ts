import type { Config } from '../config';
import { SealError, type Sealer } from '../shared/crypto';
import { REFRESH_TOKEN_UNREADABLE, TransferError } from '../shared/errors';
import type { CloudType } from '../shared/types';
import type { DestinationWorker } from './destination';
import { destinationOf } from './registry';
import type { DestinationProvider } from './types';
import { openWorker } from './worker-registry';

export type { DestinationProvider } from './types';

/** Builds the provider for one transfer from its sealed credentials. Long-lived per worker process. */
export class Providers {
  readonly #workers = new Map<CloudType, DestinationWorker>();

  constructor(private readonly config: Config, private readonly sealer: Sealer) {}

  forTransfer(cloudType: CloudType, transferId: string, sealedRefreshToken: string): DestinationProvider {
    return this.#worker(cloudType).forTransfer(transferId, this.#refreshToken(sealedRefreshToken));
  }

  forget(transferId: string): void {
    for (const worker of this.#workers.values()) worker.forget(transferId);
  }

  /** Opened on first use; a destination this worker's configuration does not offer fails the transfer for good. */
  #worker(cloudType: CloudType): DestinationWorker {
    const worker = this.#workers.get(cloudType) ?? openWorker(cloudType, this.config, this.sealer);
    if (!worker) {
      const { label, enabledBy } = destinationOf(cloudType);
      throw new TransferError('cloud_type_not_supported', `this worker has no ${enabledBy}: it cannot write to ${label}`, false);
    }
    this.#workers.set(cloudType, worker);
    return worker;
  }

  /**
   * A token this worker cannot open (typically: sealed with a SECRET_KEY that was rotated away) fails every step
   * of the transfer the same way, so it is final and stops the transfer, with the key id in the reason.
   */
  #refreshToken(sealed: string): string {
    try {
      return this.sealer.open('refresh-token', sealed);
    } catch (err) {
      if (err instanceof SealError) throw new TransferError(REFRESH_TOKEN_UNREADABLE, `the transfer's refresh token cannot be opened: ${err.message}`, false, { accountWide: true });
      throw err;
    }
  }
}
