import * as shared from '../../shared/oauth/tokens';
import { newAccessToken, newAuthCode, newRefreshToken } from '../ids';

export type { AccessToken, RefreshToken } from '../../shared/oauth/tokens';
export type AuthCode = shared.AuthCode;

type TokenPair = { access: shared.AccessToken; refresh: shared.RefreshToken };

/** The shared store with Yandex's rules: every code and refresh yields a new token pair of the same grant. */
export class TokenStore extends shared.TokenStore {
  constructor(now: () => number, ttlSeconds: () => number) {
    super({ code: newAuthCode, access: newAccessToken, refresh: newRefreshToken }, now, ttlSeconds);
  }

  /** Redeems a validated code: marks it used and mints the first token pair of a new grant. */
  redeem(code: AuthCode): TokenPair {
    code.used = true;
    return this.mintPair({ user: code.user, clientId: code.clientId, scopes: code.scopes });
  }

  /** Yandex answers a refresh with a new token pair; the old refresh token keeps working. */
  renew(record: shared.RefreshToken): TokenPair {
    return this.mintPair(record.grant);
  }

  /** Revokes a live access token and every refresh token of its grant. */
  revoke(record: shared.AccessToken): void {
    record.revoked = true;
    for (const refresh of this.refresh.values()) if (refresh.grant === record.grant) refresh.revoked = true;
  }

  /** Access and refresh tokens revoked so far. */
  revokedTokens(): string[] {
    return [...this.access.values(), ...this.refresh.values()].filter((r) => r.revoked).map((r) => r.token);
  }

  private mintPair(grant: shared.Grant): TokenPair {
    return { access: this.mintAccess(grant), refresh: this.mintRefresh(grant) };
  }
}
