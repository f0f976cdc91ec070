import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import { httpUrl } from '../config/fields';
import type { ConsentFlow } from './destination';

/**
 * Google's OAuth, shared by the Google destinations (Drive, Photos): Google's endpoints, one client shape, one
 * consent flow that differs only in its scopes. Loaded by the API (consent) and the workers (access tokens,
 * revoke), so it holds nothing but google-auth-library and the endpoints' settings.
 */

/**
 * Google's OAuth endpoints: Google's, not one destination's, so in neither Google destination's section.
 * src/config/index.ts composes this section beside the destinations' ones; each Google destination's consent and
 * worker side read it from the whole configuration they are given.
 */
export const googleOAuthEndpoints = z.object({
  GOOGLE_AUTH_URL: httpUrl.default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: httpUrl.default('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: httpUrl.default('https://oauth2.googleapis.com/revoke'),
});

export type GoogleOAuthEndpoints = z.output<typeof googleOAuthEndpoints>;

export interface GoogleOAuthSettings {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
}

/** What a destination asks Google for, and which granted scopes let it write. */
export interface GoogleScopes {
  requested: string[];
  /** The user may untick scopes on the consent screen: true when what is left is enough. */
  suffice(granted: ReadonlySet<string>): boolean;
}

/** One destination's OAuth client with Google's endpoints. */
export function googleOAuthSettings(clientId: string, clientSecret: string, endpoints: GoogleOAuthEndpoints): GoogleOAuthSettings {
  return { clientId, clientSecret, authUrl: endpoints.GOOGLE_AUTH_URL, tokenUrl: endpoints.GOOGLE_TOKEN_URL, revokeUrl: endpoints.GOOGLE_REVOKE_URL };
}

// Per try of the token request; the browser is waiting on our redirect meanwhile.
const TOKEN_REQUEST_TIMEOUT_MS = 5_000;

export function createOAuthClient(settings: GoogleOAuthSettings, redirectUri?: string, timeoutMs?: number): OAuth2Client {
  return new OAuth2Client({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: settings.authUrl, oauth2TokenUrl: settings.tokenUrl, oauth2RevokeUrl: settings.revokeUrl },
    // Refresh a little before expiry, not the library's default 5 minutes: tokens can be short-lived, and one
    // chunk request is short, so a few seconds of margin is enough.
    eagerRefreshThresholdMillis: 10_000,
    ...(timeoutMs ? { transporterOptions: { timeout: timeoutMs } } : {}),
  });
}

/** Google's consent screen (`scopes`, a refresh token, PKCE S256) and token endpoint, through google-auth-library. */
export function googleConsentFlow(settings: GoogleOAuthSettings, redirectUri: string, scopes: GoogleScopes): ConsentFlow {
  // One client per app: building the consent URL is pure, and token calls carry all their input as arguments.
  const client = createOAuthClient(settings, redirectUri, TOKEN_REQUEST_TIMEOUT_MS);
  return {
    consentUrl: (state, codeChallenge) =>
      client.generateAuthUrl({
        scope: scopes.requested,
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
    grantsAccess: (scope) => scopes.suffice(new Set((scope ?? '').split(' '))),
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
