import { ProviderCaller } from '../caller';
import type { WorkerFactory } from '../destination';
import { googleAuthFor, revokeGoogleToken } from '../google-auth';
import { createOAuthClient } from '../google-oauth';
import { AccountPacing, PacerRegistry } from '../pacer';
import { PerTransfer } from '../per-transfer';
import { PhotosApi } from './api';
import { BatchCommitter } from './committer';
import { photosOAuth } from './config';
import { toPhotosError } from './errors';
import { PhotosLibrary } from './library';
import { GooglePhotosProvider, type PhotosTransfer } from './provider';
import { PhotosUploader } from './upload';

/**
 * Google Photos' worker side: per transfer one auth, one write pacer and one batch committer (batchCreate is
 * serial per user), shared by its activities in this process. Paced per transfer, not per account: the Library
 * API names no account under the scopes we ask for (no about.get), so two transfers to one account each take the
 * configured pace. Fixed at it (Photos' quotas are published). Null without GOOGLE_PHOTOS_CLIENT_ID.
 */
export const googlePhotosWorker: WorkerFactory = (config, sealer) => {
  const oauth = photosOAuth(config);
  if (!oauth) return null;
  const rate = config.GOOGLE_PHOTOS_WRITES_PER_SECOND;
  const pacers = new PacerRegistry({ start: rate, max: rate, step: config.WRITE_PACE_STEP }, config.GOOGLE_PHOTOS_WRITE_BURST);
  // Every Photos request goes through the caller: its classifier alone says when the daily quota comes back.
  const quotaDayMs = config.GOOGLE_PHOTOS_QUOTA_DAY_SECONDS * 1000;
  const classify = (err: unknown, what: string) => toPhotosError(err, what, quotaDayMs);
  const transfers = new PerTransfer((refreshToken, transferId): PhotosTransfer => {
    const auth = googleAuthFor(oauth, refreshToken, 'Google Photos');
    const library = new PhotosLibrary(new PhotosApi(config.GOOGLE_PHOTOS_API_URL, auth), new ProviderCaller(auth, new AccountPacing(pacers, transferId), classify, config.QUOTA_PARK_AFTER_MINUTES));
    const uploader = new PhotosUploader(library, { rawMaxBytes: config.MULTIPART_MAX_BYTES, chunkBytes: config.GOOGLE_PHOTOS_CHUNK_BYTES, sealer });
    return { auth, library, uploader, committer: new BatchCommitter(library, sealer) };
  });
  return {
    forTransfer: (transferId, refreshToken) => new GooglePhotosProvider(transfers.get(transferId, refreshToken)),
    forget: (transferId) => transfers.forget(transferId),
    revoke: (refreshToken) => revokeGoogleToken(createOAuthClient(oauth), refreshToken, toPhotosError),
  };
};
