import { z } from 'zod';
import { CLOUD_TYPES } from '../providers/registry';

/**
 * The RabbitMQ message: everything the bridge needs to start a transfer. Versioned so old messages still in a
 * queue during a deploy are recognised; validated on both sides. The refresh token inside is sealed.
 */
export const transferJobSchema = z.object({
  v: z.literal(1),
  transfer_id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  created_at: z.iso.datetime(),
  cloud_type: z.enum(CLOUD_TYPES),
  archive_type: z.enum(['webs', 'originals']),
  archive_url: z.url(),
  gallery_id: z.string().regex(/^\d{1,18}$/),
  gallery_name: z.string().min(1).max(255),
  // v2 names the sealing key; v1 (no key id) is still accepted for jobs queued before key rotation existed.
  sealed_refresh_token: z.string().regex(/^v[12]\./, 'must be a sealed value (v2. or v1.)'),
  // Present only when true (a new gallery folder even if the gallery was saved before); absent in jobs from before.
  separate_copy: z.literal(true).optional(),
});

export type TransferJob = z.infer<typeof transferJobSchema>;
