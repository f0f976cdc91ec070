import type { CloudType } from '../providers/registry';

/**
 * Types shared by the workflow (which must stay free of I/O and heavy imports) and everything around it.
 * Only types and tiny constants live here.
 */

/** The destinations' ids, from their registry (a type only: nothing of it reaches the workflow bundle). */
export type { CloudType };
export type ArchiveType = 'webs' | 'originals';

/** What the bridge hands to the transfer workflow. Readable in the Temporal UI, except the sealed token. */
export interface TransferInput {
  transferId: string;
  galleryId: string;
  galleryName: string;
  archiveUrl: string;
  /** Derived from archiveUrl with GALLERY_API_URL (SPEC §2). */
  listingUrl: string;
  archiveType: ArchiveType;
  cloudType: CloudType;
  /** Refresh token sealed with SECRET_KEY (purpose `refresh-token`); only activities open it. */
  sealedRefreshToken: string;
  /** When the user consented (ISO 8601). */
  requestedAt: string;
  /**
   * The user asked for a separate copy: a new gallery folder even if an earlier transfer of this gallery made one
   * in the account. Unset (the default, and in inputs from before): add what is new to the earlier folder.
   */
  separateCopy?: boolean;
}

export const workflowIdFor = (transferId: string): string => `transfer-${transferId}`;
