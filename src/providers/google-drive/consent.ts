import type { ConsentFlow } from '../destination';
import { googleConsentFlow, googleOAuthSettings, type GoogleOAuthSettings } from '../google-oauth';
import type { DriveConfig } from './config';

/** The narrowest Drive scope: access to files this app creates, which is all a transfer needs. */
export const DRIVE_FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file';
const FULL_DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

/** Google's consent screen for Drive: the file scope; full Drive access, if granted instead, also covers it. */
export function googleConsent(config: DriveConfig, redirectUri: string): ConsentFlow {
  return googleConsentFlow(driveOAuthSettings(config), redirectUri, {
    requested: [DRIVE_FILE_SCOPE],
    suffice: (granted) => granted.has(DRIVE_FILE_SCOPE) || granted.has(FULL_DRIVE_SCOPE),
  });
}

/** Drive's OAuth client with Google's endpoints. */
export function driveOAuthSettings(config: DriveConfig): GoogleOAuthSettings {
  return googleOAuthSettings(config.GOOGLE_CLIENT_ID, config.GOOGLE_CLIENT_SECRET, config);
}
