import type { ConsentFlow } from '../destination';
import { googleConsentFlow } from '../google-oauth';
import { photosOAuth, type PhotosConfig } from './config';

const PHOTOS = 'https://www.googleapis.com/auth/photoslibrary';
/** Adding photos and making albums; it cannot read, change or delete anything. */
export const PHOTOS_APPENDONLY_SCOPE = `${PHOTOS}.appendonly`;
/** Reading back only what this app made: finding our albums and items again after a lost answer. */
export const PHOTOS_READ_APP_CREATED_SCOPE = `${PHOTOS}.readonly.appcreateddata`;

/** Google's consent screen for Photos: both scopes are needed (a retry that cannot look could make duplicates). */
export function photosConsent(config: PhotosConfig, redirectUri: string): ConsentFlow | null {
  const oauth = photosOAuth(config);
  if (!oauth) return null;
  const requested = [PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE];
  return googleConsentFlow(oauth, redirectUri, { requested, suffice: (granted) => requested.every((s) => granted.has(s)) });
}
