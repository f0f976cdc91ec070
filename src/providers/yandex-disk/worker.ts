import { ProviderCaller } from '../caller';
import type { WorkerFactory } from '../destination';
import { AccountPacing, PacerRegistry } from '../pacer';
import { PerTransfer } from '../per-transfer';
import { yandexAccountLookup } from './account';
import { YandexApi } from './api';
import { YandexAuth } from './auth';
import { yandexClient } from './config';
import { toYandexError } from './errors';
import { YandexDiskProvider } from './provider';

/**
 * Yandex Disk's worker side: one auth per transfer, and one write pacer per Yandex account (found by GET /v1/disk
 * on the transfer's first write), shared by every transfer to it here. Null without YANDEX_CLIENT_ID.
 */
export const yandexDiskWorker: WorkerFactory = (config) => {
  const client = yandexClient(config);
  if (!client) return null;
  const oauth = { ...client, tokenUrl: config.YANDEX_TOKEN_URL, revokeUrl: config.YANDEX_REVOKE_URL };
  const pacers = new PacerRegistry(
    { start: config.YANDEX_WRITES_PER_SECOND, max: Math.max(config.YANDEX_WRITES_PER_SECOND, config.YANDEX_WRITES_PER_SECOND_MAX), step: config.WRITE_PACE_STEP },
    config.YANDEX_WRITE_BURST,
  );
  const transfers = new PerTransfer((refreshToken, transferId) => {
    const auth = new YandexAuth(oauth, refreshToken);
    const api = new YandexApi(config.YANDEX_API_URL, auth);
    return { auth, api, pacing: new AccountPacing(pacers, transferId, yandexAccountLookup(api)) };
  });
  return {
    forTransfer(transferId, refreshToken) {
      const { auth, api, pacing } = transfers.get(transferId, refreshToken);
      return new YandexDiskProvider(auth, new ProviderCaller(auth, pacing, toYandexError, config.QUOTA_PARK_AFTER_MINUTES), api, { serverSideFetch: config.YANDEX_SERVER_SIDE_FETCH });
    },
    forget: (transferId) => transfers.forget(transferId),
    revoke: (refreshToken) => new YandexAuth(oauth, refreshToken).revoke(),
  };
};
