import { ProviderCaller } from '../caller';
import type { WorkerFactory } from '../destination';
import { AccountPacing, PacerRegistry } from '../pacer';
import { PerTransfer } from '../per-transfer';
import { googleAuthFor, revokeGoogleToken } from '../google-auth';
import { createOAuthClient } from '../google-oauth';
import { driveAccountLookup } from './account';
import { driveOAuthSettings } from './consent';
import { toTransferError } from './errors';
import { GoogleDriveProvider } from './provider';

/**
 * Drive's worker side: one auth (access token) per transfer, shared by its uploads, and one write pacer per Google
 * account (found by about.get on the transfer's first write), shared by every transfer to that account here.
 */
export const googleDriveWorker: WorkerFactory = (config, sealer) => {
  const oauth = driveOAuthSettings(config);
  const pacers = new PacerRegistry(
    { start: config.DRIVE_WRITES_PER_SECOND, max: Math.max(config.DRIVE_WRITES_PER_SECOND, config.DRIVE_WRITES_PER_SECOND_MAX), step: config.WRITE_PACE_STEP },
    config.DRIVE_WRITE_BURST,
  );
  const transfers = new PerTransfer((refreshToken, transferId) => {
    const auth = googleAuthFor(oauth, refreshToken, 'Google Drive');
    return { auth, pacing: new AccountPacing(pacers, transferId, driveAccountLookup(auth, config.GOOGLE_API_URL)) };
  });
  return {
    forTransfer(transferId, refreshToken) {
      const { auth, pacing } = transfers.get(transferId, refreshToken);
      return new GoogleDriveProvider(auth, new ProviderCaller(auth, pacing, toTransferError, config.QUOTA_PARK_AFTER_MINUTES), {
        apiUrl: config.GOOGLE_API_URL,
        multipartMaxBytes: config.MULTIPART_MAX_BYTES,
        chunkBytes: config.UPLOAD_CHUNK_BYTES,
        sealer,
      });
    },
    forget: (transferId) => transfers.forget(transferId),
    revoke: (refreshToken) => revokeGoogleToken(createOAuthClient(oauth), refreshToken, toTransferError),
  };
};
