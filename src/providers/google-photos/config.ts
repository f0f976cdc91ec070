import { z } from 'zod';
import { httpUrl, positiveInt, SettingsRule } from '../../config/fields';
import { googleOAuthSettings, type GoogleOAuthEndpoints, type GoogleOAuthSettings } from '../google-oauth';

/**
 * Google Photos' environment variables (part of the one configuration, src/config/index.ts). Its own OAuth client,
 * because the Library API's 10,000 requests a day are counted per Google Cloud project: a Photos client in a
 * project of its own keeps Drive's quota out of it. It may be Drive's client all the same.
 */
export const googlePhotosSettings = z.object({
  /** Without a client id, requests for `cloud_type: "google_photos"` get 501. */
  GOOGLE_PHOTOS_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_PHOTOS_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_PHOTOS_API_URL: httpUrl.default('https://photoslibrary.googleapis.com'),
  /** Resumable chunk size, rounded down to the granularity Photos announces. One chunk per upload is held in memory. */
  GOOGLE_PHOTOS_CHUNK_BYTES: positiveInt
    .refine((n) => n % (256 * 1024) === 0, 'must be a multiple of 262144 (256 KiB)')
    .default(8 * 1024 * 1024),
  /** Pace of Photos writes (uploads, batchCreate, albums) per account, per worker process. */
  GOOGLE_PHOTOS_WRITES_PER_SECOND: z.coerce.number().positive().default(5),
  GOOGLE_PHOTOS_WRITE_BURST: positiveInt.default(5),
  /**
   * The project's quota day, from midnight Pacific (when Google resets the quota): a whole day. Only emulated setups
   * shorten it (the emulator's day is theirs to set), so that a transfer parked at the quota wakes up in seconds.
   */
  GOOGLE_PHOTOS_QUOTA_DAY_SECONDS: positiveInt.refine((n) => 86_400 % n === 0, 'must divide 86400 (days start at midnight)').default(86_400),
});

export type GooglePhotosSettings = z.output<typeof googlePhotosSettings>;

export const googlePhotosRules: ReadonlyArray<SettingsRule<GooglePhotosSettings>> = [
  {
    holds: (s) => !s.GOOGLE_PHOTOS_CLIENT_ID === !s.GOOGLE_PHOTOS_CLIENT_SECRET,
    message: 'set both GOOGLE_PHOTOS_CLIENT_ID and GOOGLE_PHOTOS_CLIENT_SECRET, or neither',
    path: 'GOOGLE_PHOTOS_CLIENT_SECRET',
  },
];

/** What Photos reads: its section and Google's OAuth endpoints (every role is given the whole configuration). */
export type PhotosConfig = GooglePhotosSettings & GoogleOAuthEndpoints;

/** The Photos OAuth client with Google's endpoints, or null when this deployment does not offer Photos. */
export function photosOAuth(config: PhotosConfig): GoogleOAuthSettings | null {
  const { GOOGLE_PHOTOS_CLIENT_ID: clientId, GOOGLE_PHOTOS_CLIENT_SECRET: clientSecret } = config;
  if (!clientId || !clientSecret) return null;
  return googleOAuthSettings(clientId, clientSecret, config);
}
