import { ProviderCaller } from '../caller';
import type { WorkerFactory } from '../destination';
import { PacerRegistry } from '../pacer';
import { PerTransfer } from '../per-transfer';
import { YandexApi } from './api';
import { YandexAuth } from './auth';
import { yandexClient } from './config';
import { toYandexError } from './errors';
import { YandexDiskProvider } from './provider';

/** Yandex Disk's worker side: one auth and one write pacer per transfer. Null without YANDEX_CLIENT_ID. */
export const yandexDiskWorker: WorkerFactory = (config) => {
  const client = yandexClient(config);
  if (!client) return null;
  const oauth = { ...client, tokenUrl: config.YANDEX_TOKEN_URL, revokeUrl: config.YANDEX_REVOKE_URL };
  const auths = new PerTransfer((refreshToken) => new YandexAuth(oauth, refreshToken));
  const pacers = new PacerRegistry(config.YANDEX_WRITES_PER_SECOND, config.YANDEX_WRITE_BURST);
  return {
    forTransfer(transferId, refreshToken) {
      const auth = auths.get(transferId, refreshToken);
      return new YandexDiskProvider(
        auth,
        new ProviderCaller(auth, pacers.get(transferId), toYandexError, config.QUOTA_PARK_AFTER_MINUTES),
        new YandexApi(config.YANDEX_API_URL, auth),
        { serverSideFetch: config.YANDEX_SERVER_SIDE_FETCH },
      );
    },
    forget: (transferId) => auths.forget(transferId),
    revoke: (refreshToken) => new YandexAuth(oauth, refreshToken).revoke(),
  };
};
