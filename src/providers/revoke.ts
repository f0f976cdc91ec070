import type { Config } from '../config';
import type { Sealer } from '../shared/crypto';
import { TransferError } from '../shared/errors';
import type { CloudType } from '../shared/types';
import { destinationOf } from './registry';
import { openWorker } from './worker-registry';

/**
 * Gives back a grant, knowing only its refresh token — for a process that holds a grant but runs no transfer on
 * it (the bridge, dropping a duplicate job). Already revoked or expired counts as done. Throws a TransferError:
 * retryable when the provider could not be reached.
 */
export async function revokeGrant(config: Config, sealer: Sealer, cloudType: CloudType, refreshToken: string): Promise<void> {
  const worker = openWorker(cloudType, config, sealer);
  if (!worker) {
    const { label, enabledBy } = destinationOf(cloudType);
    throw new TransferError('cloud_type_not_supported', `no ${enabledBy} here: a ${label} grant cannot be revoked`, false);
  }
  return worker.revoke(refreshToken);
}
