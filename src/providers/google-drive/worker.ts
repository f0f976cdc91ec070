import type { Config } from '../../config';
import { ProviderCaller } from '../caller';
import type { WorkerFactory } from '../destination';
import { PacerRegistry } from '../pacer';
import { PerTransfer } from '../per-transfer';
import { createOAuthClient, driveAuthFor, GoogleOAuthSettings, revokeGoogleToken } from './auth';
import { toTransferError } from './errors';
import { GoogleDriveProvider } from './provider';

function oauthSettings(config: Config): GoogleOAuthSettings {
  return {
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    authUrl: config.GOOGLE_AUTH_URL,
    tokenUrl: config.GOOGLE_TOKEN_URL,
    revokeUrl: config.GOOGLE_REVOKE_URL,
  };
}

/** Drive's worker side: one auth (access token) and one write pacer per transfer, shared by its uploads. */
export const googleDriveWorker: WorkerFactory = (config, sealer) => {
  const oauth = oauthSettings(config);
  const auths = new PerTransfer((refreshToken) => driveAuthFor(oauth, refreshToken));
  const pacers = new PacerRegistry(config.DRIVE_WRITES_PER_SECOND, config.DRIVE_WRITE_BURST);
  return {
    forTransfer(transferId, refreshToken) {
      const auth = auths.get(transferId, refreshToken);
      return new GoogleDriveProvider(auth, new ProviderCaller(auth, pacers.get(transferId), toTransferError), {
        apiUrl: config.GOOGLE_API_URL,
        multipartMaxBytes: config.MULTIPART_MAX_BYTES,
        chunkBytes: config.UPLOAD_CHUNK_BYTES,
        sealer,
      });
    },
    forget: (transferId) => auths.forget(transferId),
    revoke: (refreshToken) => revokeGoogleToken(createOAuthClient(oauth), refreshToken),
  };
};
