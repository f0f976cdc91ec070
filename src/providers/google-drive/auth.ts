import { OAuth2Client } from 'google-auth-library';
import { TransferError } from '../../shared/errors';
import { toTransferError } from './errors';

export interface GoogleOAuthSettings {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
}

export function createOAuthClient(settings: GoogleOAuthSettings, redirectUri?: string): OAuth2Client {
  return new OAuth2Client({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: settings.authUrl, oauth2TokenUrl: settings.tokenUrl, oauth2RevokeUrl: settings.revokeUrl },
    // Refresh a little before expiry, not the library's default 5 minutes: tokens can be short-lived, and one
    // chunk request is short, so a few seconds of margin is enough.
    eagerRefreshThresholdMillis: 10_000,
  });
}

/**
 * Access tokens for one transfer, refreshed from its refresh token as they expire. Access tokens live only in
 * this process's memory; concurrent refreshes are de-duplicated by google-auth-library.
 */
export class DriveAuth {
  constructor(readonly client: OAuth2Client) {}

  async authorization(): Promise<string> {
    try {
      const { token } = await this.client.getAccessToken();
      if (!token) throw new Error('no access token returned');
      return `Bearer ${token}`;
    } catch (err) {
      throw refreshError(err);
    }
  }

  /** After a 401 the token is dead whatever its expiry said: make the next call refresh. */
  invalidate(): void {
    this.client.credentials = { ...this.client.credentials, access_token: undefined, expiry_date: 0 };
  }
}

function refreshError(err: unknown): TransferError {
  const data = (err as { response?: { data?: { error?: unknown }; status?: number } }).response;
  if (data?.data?.error === 'invalid_grant') {
    return new TransferError('auth_revoked', 'Google no longer accepts our access to this Drive (revoked by the user or expired); the client must press "Save to Google Drive" again', false, { accountWide: true });
  }
  if (data?.status && data.status >= 400 && data.status < 500) {
    return new TransferError('auth_rejected', `Google refused to refresh the access token (HTTP ${data.status})`, false, { accountWide: true });
  }
  return new TransferError('auth_unavailable', `could not refresh the Google access token: ${(err as Error).message}`, true);
}

/** A DriveAuth from a transfer's refresh token (see PerTransfer for sharing it across the transfer's uploads). */
export function driveAuthFor(settings: GoogleOAuthSettings, refreshToken: string): DriveAuth {
  const client = createOAuthClient(settings);
  client.setCredentials({ refresh_token: refreshToken });
  return new DriveAuth(client);
}

/** Gives a grant back (revoking either token ends both). Already revoked or expired (400) is the state we want. */
export async function revokeGoogleToken(client: OAuth2Client, token: string): Promise<void> {
  try {
    await client.revokeToken(token);
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    if (status !== 400) throw toTransferError(err, 'revoking access');
  }
}
