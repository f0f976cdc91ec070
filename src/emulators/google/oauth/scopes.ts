export const DRIVE_FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file';
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
export const PROFILE_SCOPE = 'https://www.googleapis.com/auth/userinfo.profile';
const PHOTOS = 'https://www.googleapis.com/auth/photoslibrary';
/** Upload bytes, create media items and albums (the only Photos write scope since 2025-03-31). */
export const PHOTOS_APPENDONLY_SCOPE = `${PHOTOS}.appendonly`;
/** List, search and get what this app created. */
export const PHOTOS_READ_APP_CREATED_SCOPE = `${PHOTOS}.readonly.appcreateddata`;
export const PHOTOS_EDIT_APP_CREATED_SCOPE = `${PHOTOS}.edit.appcreateddata`;
/**
 * Removed from the Library API on 2025-03-31: consent still grants them here (whether Google's consent does is
 * unconfirmed), but every Photos call with only these answers 403, as rclone users saw (rclone#8567).
 */
export const PHOTOS_REMOVED_SCOPES = [PHOTOS, `${PHOTOS}.readonly`, `${PHOTOS}.sharing`];

/**
 * Accepted scope spellings → the form Google echoes in `scope` of the redirect and token
 * responses: the short sign-in scopes come back as their userinfo URLs, so a client that looks
 * for the literal "email" in the granted scopes is wrong against Google as it is here.
 */
const CANONICAL: Record<string, string> = {
  openid: 'openid',
  email: EMAIL_SCOPE,
  profile: PROFILE_SCOPE,
  [EMAIL_SCOPE]: EMAIL_SCOPE,
  [PROFILE_SCOPE]: PROFILE_SCOPE,
  [DRIVE_FILE_SCOPE]: DRIVE_FILE_SCOPE,
  [DRIVE_SCOPE]: DRIVE_SCOPE,
  ...Object.fromEntries(
    [PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE, PHOTOS_EDIT_APP_CREATED_SCOPE, ...PHOTOS_REMOVED_SCOPES].map((s) => [s, s]),
  ),
};

/** Sign-in scopes are not optional on Google's granular consent screen. */
export const SIGN_IN_SCOPES: ReadonlySet<string> = new Set(['openid', EMAIL_SCOPE, PROFILE_SCOPE]);

export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  [EMAIL_SCOPE]: 'See your primary Google Account email address',
  [PROFILE_SCOPE]: "See your personal info, including any personal info you've made publicly available",
  [DRIVE_FILE_SCOPE]: 'See, edit, create, and delete only the specific Google Drive files you use with this app',
  [DRIVE_SCOPE]: 'See, edit, create, and delete all of your Google Drive files',
  // As users quote Google's consent screen (f2calv/CasCap.Api.GooglePhotos#135); other scopes show their URL.
  [PHOTOS_APPENDONLY_SCOPE]: 'Add to your Google Photos library',
  [`${PHOTOS}.readonly`]: 'View your Google Photos library',
};

/** Parses a space-delimited scope parameter; returns the unknown scope instead when there is one. */
export function parseScopes(raw: string): { scopes: string[] } | { unknown: string } {
  const scopes: string[] = [];
  for (const scope of raw.split(' ').filter(Boolean)) {
    const canonical = CANONICAL[scope];
    if (!canonical) return { unknown: scope };
    if (!scopes.includes(canonical)) scopes.push(canonical);
  }
  return { scopes };
}

export const hasDriveScope = (scopes: readonly string[]): boolean =>
  scopes.includes(DRIVE_FILE_SCOPE) || scopes.includes(DRIVE_SCOPE);
