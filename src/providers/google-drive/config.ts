import { z } from 'zod';
import { httpUrl, positiveInt } from '../../config/fields';
import type { GoogleOAuthEndpoints } from '../google-oauth';

/** Google Drive's environment variables (part of the one configuration, src/config/index.ts). */
export const googleDriveSettings = z.object({
  /** Drive's OAuth client (Photos has its own variables for its client). */
  GOOGLE_CLIENT_ID: z.string().min(1),
  GOOGLE_CLIENT_SECRET: z.string().min(1),
  GOOGLE_API_URL: httpUrl.default('https://www.googleapis.com'),
  /** Resumable chunk size; must be a multiple of 256 KiB (Drive's rule). One chunk per in-flight upload is held in memory. */
  UPLOAD_CHUNK_BYTES: positiveInt
    .refine((n) => n % (256 * 1024) === 0, 'must be a multiple of 262144 (256 KiB)')
    .default(8 * 1024 * 1024),
  /**
   * The safe pace of Drive writes (creates) per Google account, per worker process: where each account's pace
   * starts; it is raised while writes succeed, up to DRIVE_WRITES_PER_SECOND_MAX (Google publishes no per-user rate).
   */
  DRIVE_WRITES_PER_SECOND: z.coerce.number().positive().default(3),
  /** The pace found for an account never goes above this (a value under DRIVE_WRITES_PER_SECOND counts as it: fixed). */
  DRIVE_WRITES_PER_SECOND_MAX: z.coerce.number().positive().default(20),
  DRIVE_WRITE_BURST: positiveInt.default(3),
});

export type GoogleDriveSettings = z.output<typeof googleDriveSettings>;

/** What Drive reads: its section and Google's OAuth endpoints (every role is given the whole configuration). */
export type DriveConfig = GoogleDriveSettings & GoogleOAuthEndpoints;
