import type { Config } from '../config';
import { TransferError } from '../shared/errors';
import type { CloudType } from '../shared/types';
import { createOAuthClient, revokeGoogleToken } from './google-drive/auth';
import { googleOAuthSettings, yandexOAuthSettings } from './oauth-settings';
import { YandexAuth } from './yandex-disk/auth';

/**
 * Gives back a grant, knowing only its refresh token — for a process that holds a grant but runs no transfer on
 * it (the bridge, dropping a duplicate job). Already revoked or expired counts as done. Throws a TransferError:
 * retryable when the provider could not be reached.
 */
export async function revokeGrant(config: Config, cloudType: CloudType, refreshToken: string): Promise<void> {
  if (cloudType === 'google_drive') return revokeGoogleToken(createOAuthClient(googleOAuthSettings(config)), refreshToken);
  const yandex = yandexOAuthSettings(config);
  if (!yandex) throw new TransferError('cloud_type_not_supported', 'no YANDEX_CLIENT_ID here: a Yandex grant cannot be revoked', false);
  return new YandexAuth(yandex, refreshToken).revoke();
}
