import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import type { ConsentFlow } from '../destination';
import type { GoogleDriveSettings } from './config';

/** The narrowest Drive scope: access to files this app creates, which is all a transfer needs. */
export const DRIVE_FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file';
const FULL_DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive';

// Per try of the token request; the browser is waiting on our redirect meanwhile.
const TOKEN_REQUEST_TIMEOUT_MS = 5_000;

/** Google's consent screen (Drive file scope, a refresh token, PKCE S256) and token endpoint, through google-auth-library. */
export function googleConsent(config: GoogleDriveSettings, redirectUri: string): ConsentFlow {
  // One client per app: building the consent URL is pure, and token calls carry all their input as arguments.
  const client = new OAuth2Client({
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: config.GOOGLE_AUTH_URL,
      oauth2TokenUrl: config.GOOGLE_TOKEN_URL,
      oauth2RevokeUrl: config.GOOGLE_REVOKE_URL,
    },
    transporterOptions: { timeout: TOKEN_REQUEST_TIMEOUT_MS },
  });
  return {
    consentUrl: (state, codeChallenge) =>
      client.generateAuthUrl({
        scope: [DRIVE_FILE_SCOPE],
        access_type: 'offline',
        // Without it Google omits the refresh token when the user consented before.
        prompt: 'consent',
        state,
        code_challenge_method: CodeChallengeMethod.S256,
        code_challenge: codeChallenge,
      }),
    exchangeCode: async (code, codeVerifier) => {
      const { tokens } = await client.getToken({ code, codeVerifier });
      return { refreshToken: tokens.refresh_token ?? undefined, scope: tokens.scope ?? '', accessToken: tokens.access_token ?? undefined };
    },
    // The user may untick scopes on the consent screen; full Drive access also covers what we need.
    grantsAccess: (scope) => {
      const granted = new Set((scope ?? '').split(' '));
      return granted.has(DRIVE_FILE_SCOPE) || granted.has(FULL_DRIVE_SCOPE);
    },
    // Revoking either token ends the whole grant; the refresh token is the one that outlives the other.
    revoke: async ({ refreshToken, accessToken }) => {
      const token = refreshToken ?? accessToken;
      if (token) await client.revokeToken(token);
    },
    describeError: (err) => {
      const response = (err as { response?: { status?: unknown; data?: { error?: unknown } } }).response;
      return { status: response?.status, oauth_error: response?.data?.error, err: (err as Error).name };
    },
  };
}
