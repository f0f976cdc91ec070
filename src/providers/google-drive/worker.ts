import { ProviderCaller } from '../caller';
import type { WorkerFactory } from '../destination';
import { PacerRegistry } from '../pacer';
import { PerTransfer } from '../per-transfer';
import { googleAuthFor, revokeGoogleToken } from '../google-auth';
import { createOAuthClient } from '../google-oauth';
import { driveOAuthSettings } from './consent';
import { toTransferError } from './errors';
import { GoogleDriveProvider } from './provider';

/** Drive's worker side: one auth (access token) and one write pacer per transfer, shared by its uploads. */
export const googleDriveWorker: WorkerFactory = (config, sealer) => {
  const oauth = driveOAuthSettings(config);
  const auths = new PerTransfer((refreshToken) => googleAuthFor(oauth, refreshToken, 'Google Drive'));
  const pacers = new PacerRegistry(config.DRIVE_WRITES_PER_SECOND, config.DRIVE_WRITE_BURST);
  return {
    forTransfer(transferId, refreshToken) {
      const auth = auths.get(transferId, refreshToken);
      return new GoogleDriveProvider(auth, new ProviderCaller(auth, pacers.get(transferId), toTransferError, config.QUOTA_PARK_AFTER_MINUTES), {
        apiUrl: config.GOOGLE_API_URL,
        multipartMaxBytes: config.MULTIPART_MAX_BYTES,
        chunkBytes: config.UPLOAD_CHUNK_BYTES,
        sealer,
      });
    },
    forget: (transferId) => auths.forget(transferId),
    revoke: (refreshToken) => revokeGoogleToken(createOAuthClient(oauth), refreshToken, toTransferError),
  };
};
