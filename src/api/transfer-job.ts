import { parseArchivePath } from '../shared/gallery-url';
import { TransferJob, transferJobSchema } from '../shared/job';
import type { OAuthState } from './oauth-state';

/**
 * The RabbitMQ message for a consented transfer. Parsed with the shared schema so the API never publishes what
 * the bridge would dead-letter; the inputs were validated before they were sealed into the state, so a failure
 * here is a bug and surfaces as a 500.
 */
export function buildTransferJob(state: OAuthState, sealedRefreshToken: string, now = new Date()): TransferJob {
  return transferJobSchema.parse({
    v: 1,
    transfer_id: state.transfer_id,
    created_at: now.toISOString(),
    cloud_type: state.cloud_type,
    archive_type: state.archive_type,
    archive_url: state.archive_url,
    gallery_id: parseArchivePath(new URL(state.archive_url))?.galleryId,
    gallery_name: state.gallery_name,
    sealed_refresh_token: sealedRefreshToken,
    ...(state.separate_copy ? { separate_copy: true } : {}),
  });
}
