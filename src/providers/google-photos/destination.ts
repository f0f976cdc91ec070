import { describeDestination } from '../destination';
import { googlePhotosRules, googlePhotosSettings } from './config';
import { photosConsent } from './consent';

/** Registered with Google as a redirect URI of the Photos OAuth client (under PUBLIC_URL). */
export const GOOGLE_PHOTOS_CALLBACK_PATH = '/cloud_archive/oauth/google-photos/callback';

/** Google Photos, offered when GOOGLE_PHOTOS_CLIENT_ID is set. Worker side: ./worker.ts. */
export const googlePhotos = describeDestination({
  cloudType: 'google_photos',
  label: 'Google Photos',
  callbackPath: GOOGLE_PHOTOS_CALLBACK_PATH,
  settings: googlePhotosSettings,
  rules: googlePhotosRules,
  enabledBy: 'GOOGLE_PHOTOS_CLIENT_ID',
  consent: photosConsent,
});
