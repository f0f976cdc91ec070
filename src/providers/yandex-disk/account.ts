import { TransferError } from '../../shared/errors';
import type { AccountLookup } from '../pacer';
import type { YandexApi } from './api';

/** The Yandex account a transfer writes to, for pacing per account: `GET /v1/disk`'s `user.uid`. */
export function yandexAccountLookup(api: YandexApi): AccountLookup {
  return async (read) => {
    const disk = await read('finding the Yandex account', () => api.call<{ user?: { uid?: string } }>('GET', '/v1/disk', { fields: 'user.uid' }));
    const uid = disk.user?.uid;
    if (!uid) throw new TransferError('yandex_bad_response', 'Yandex Disk named no account (GET /v1/disk without user.uid)', true);
    return String(uid);
  };
}
