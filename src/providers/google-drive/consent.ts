import type { ConsentFlow } from '../destination';
import { googleConsentFlow } from '../google-oauth';
import type { GoogleDriveSettings } from './config';

/** The narrowest Drive scope: access to files this app creates, which is all a transfer needs. */
export const DRIVE_FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file';
const FULL_DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

/** Google's consent screen for Drive: the file scope; full Drive access, if granted instead, also covers it. */
export function googleConsent(config: GoogleDriveSettings, redirectUri: string): ConsentFlow {
  return googleConsentFlow(driveOAuthSettings(config), redirectUri, {
    requested: [DRIVE_FILE_SCOPE],
    suffice: (granted) => granted.has(DRIVE_FILE_SCOPE) || granted.has(FULL_DRIVE_SCOPE),
  });
}

/** The Google OAuth client and endpoints, as Drive's section names them (every Google destination's endpoints). */
export function driveOAuthSettings(config: GoogleDriveSettings) {
  return {
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    authUrl: config.GOOGLE_AUTH_URL,
    tokenUrl: config.GOOGLE_TOKEN_URL,
    revokeUrl: config.GOOGLE_REVOKE_URL,
  };
}
