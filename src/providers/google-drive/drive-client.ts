// Drive's own package: `googleapis` holds every Google API (~110 MB of worker memory when loaded, measured).
import { drive_v3 } from '@googleapis/drive';
import type { OAuth2Client } from 'google-auth-library';

/**
 * A Drive v3 client that sends its requests through `auth`. @googleapis/drive is typed against its own copy of
 * google-auth-library (11), ours is 10: the two OAuth2Client types differ only in private fields. At run time
 * googleapis-common calls nothing but the client's `request()` (and `getUniverseDomain()`), so every request —
 * token refresh, transport, errors — is our client's, exactly as with googleapis; the cast bridges the typings.
 */
export function driveClient(auth: OAuth2Client): drive_v3.Drive {
  return new drive_v3.Drive({ auth: auth as unknown as drive_v3.Options['auth'] });
}

export type { drive_v3 };
