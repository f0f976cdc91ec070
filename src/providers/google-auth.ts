import type { OAuth2Client } from 'google-auth-library';
import { TransferError } from '../shared/errors';
import type { Classifier } from './caller';
import { createOAuthClient, type GoogleOAuthSettings } from './google-oauth';

/**
 * Access tokens for one transfer to a Google destination, refreshed from its refresh token as they expire.
 * Access tokens live only in this process's memory; concurrent refreshes are de-duplicated by google-auth-library.
 */
export class GoogleAuth {
  /** `label`: the destination as users know it ("Google Drive"), for the messages support reads. */
  constructor(readonly client: OAuth2Client, private readonly label: string) {}

  async authorization(): Promise<string> {
    try {
      const { token } = await this.client.getAccessToken();
      if (!token) throw new Error('no access token returned');
      return `Bearer ${token}`;
    } catch (err) {
      throw refreshError(err, this.label);
    }
  }

  /** After a 401 the token is dead whatever its expiry said: make the next call refresh. */
  invalidate(): void {
    this.client.credentials = { ...this.client.credentials, access_token: undefined, expiry_date: 0 };
  }
}

function refreshError(err: unknown, label: string): TransferError {
  const data = (err as { response?: { data?: { error?: unknown }; status?: number } }).response;
  if (data?.data?.error === 'invalid_grant') {
    return new TransferError('auth_revoked', `Google no longer accepts our access to this ${label} (revoked by the user or expired); the client must press "Save to ${label}" again`, false, { accountWide: true });
  }
  if (data?.status && data.status >= 400 && data.status < 500) {
    return new TransferError('auth_rejected', `Google refused to refresh the access token (HTTP ${data.status})`, false, { accountWide: true });
  }
  return new TransferError('auth_unavailable', `could not refresh the Google access token: ${(err as Error).message}`, true);
}

/** A GoogleAuth from a transfer's refresh token (see PerTransfer for sharing it across the transfer's uploads). */
export function googleAuthFor(settings: GoogleOAuthSettings, refreshToken: string, label: string): GoogleAuth {
  const client = createOAuthClient(settings);
  client.setCredentials({ refresh_token: refreshToken });
  return new GoogleAuth(client, label);
}

/** Gives a grant back (revoking either token ends both). Already revoked or expired (400) is the state we want. */
export async function revokeGoogleToken(client: OAuth2Client, token: string, classify: Classifier): Promise<void> {
  try {
    await client.revokeToken(token);
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    if (status !== 400) throw classify(err, 'revoking access');
  }
}
