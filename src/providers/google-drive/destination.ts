import { describeDestination } from '../destination';
import { googleDriveSettings } from './config';
import { googleConsent } from './consent';

/** Registered with Google as the OAuth client's redirect URI (under PUBLIC_URL). */
export const GOOGLE_CALLBACK_PATH = '/cloud_archive/oauth/google/callback';

/** Google Drive, always offered (GOOGLE_CLIENT_ID is required). Its worker side: ./worker.ts. */
export const googleDrive = describeDestination({
  cloudType: 'google_drive',
  label: 'Google Drive',
  callbackPath: GOOGLE_CALLBACK_PATH,
  settings: googleDriveSettings,
  consent: googleConsent,
});
