import * as shared from '../../shared/oauth/tokens';
import { newAccessToken, newAuthCode, newRefreshToken } from '../ids';

export type { AccessToken } from '../../shared/oauth/tokens';

/** What Google's codes carry besides the grant: the redirect_uri to match, and whether a refresh token comes along. */
interface CodeExtra {
  redirectUri: string;
  issueRefreshToken: boolean;
}
export type AuthCode = shared.AuthCode<CodeExtra>;

/** "There is currently a limit of 100 refresh tokens per Google Account per OAuth 2.0 client ID.
 *  If the limit is reached, creating a new refresh token automatically invalidates the oldest." */
const REFRESH_TOKENS_PER_CLIENT = 100;

const grantKey = (user: string, clientId: string): string => `${user}\n${clientId}`;

/** The shared store with Google's refresh and revocation rules, and the consents it remembers. */
export class TokenStore extends shared.TokenStore<CodeExtra> {
  private readonly consents = new Map<string, Set<string>>();

  constructor(now: () => number, ttlSeconds: () => number) {
    super({ code: newAuthCode, access: newAccessToken, refresh: newRefreshToken }, now, ttlSeconds);
  }

  consentedScopes(user: string, clientId: string): ReadonlySet<string> {
    return this.consents.get(grantKey(user, clientId)) ?? new Set();
  }

  recordConsent(user: string, clientId: string, scopes: string[]): void {
    const key = grantKey(user, clientId);
    this.consents.set(key, new Set([...(this.consents.get(key) ?? []), ...scopes]));
  }

  /** Redeems a validated code: marks it used and mints the tokens. */
  redeem(code: AuthCode): { access: shared.AccessToken; refresh?: shared.RefreshToken } {
    code.used = true;
    const grant: shared.Grant = { user: code.user, clientId: code.clientId, scopes: code.scopes };
    const refresh = code.issueRefreshToken ? this.newRefresh(grant) : undefined;
    return { access: this.mintAccess(grant, refresh?.token), refresh };
  }

  /** Refresh tokens are not rotated: only a new access token comes back. */
  refreshAccess(record: shared.RefreshToken): shared.AccessToken {
    return this.mintAccess(record.grant, record.token);
  }

  /**
   * "If the token is an access token and it has a corresponding refresh token, the refresh token
   * will also be revoked." Revoking a refresh token kills the access tokens minted from it.
   * Returns false when the token is unknown or already dead.
   */
  revoke(token: string): boolean {
    const refreshToken = this.findRefresh(token)?.token ?? this.findAccess(token)?.refreshToken;
    const access = this.findAccess(token);
    if (!refreshToken && !access) return false;
    if (access) access.revoked = true;
    if (refreshToken) this.revokeRefresh(refreshToken);
    return true;
  }

  revokedRefreshTokens(): string[] {
    return [...this.refresh.values()].filter((r) => r.revoked).map((r) => r.token);
  }

  private revokeRefresh(token: string): void {
    const record = this.refresh.get(token);
    if (!record) return;
    record.revoked = true;
    for (const access of this.access.values()) if (access.refreshToken === token) access.revoked = true;
  }

  private newRefresh(grant: shared.Grant): shared.RefreshToken {
    const live = [...this.refresh.values()].filter((r) => !r.revoked && r.grant.user === grant.user && r.grant.clientId === grant.clientId);
    if (live.length >= REFRESH_TOKENS_PER_CLIENT) this.revokeRefresh(live[0]!.token);
    return this.mintRefresh(grant);
  }
}
