import { newAccessToken, newAuthCode, newRefreshToken } from '../ids';
import type { ChallengeMethod } from './pkce';

export interface AuthCode {
  clientId: string;
  redirectUri: string;
  user: string;
  scopes: string[];
  challenge?: { method: ChallengeMethod; value: string };
  issueRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

export interface AccessToken {
  token: string;
  user: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  accessType: 'online' | 'offline';
  refreshToken?: string;
  revoked: boolean;
}

interface RefreshToken {
  token: string;
  user: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

/** "Authorization codes ... expire after 10 minutes" (RFC 6749 §4.1.2 recommends at most 10). */
const CODE_TTL_MS = 10 * 60 * 1000;
/** "There is currently a limit of 100 refresh tokens per Google Account per OAuth 2.0 client ID.
 *  If the limit is reached, creating a new refresh token automatically invalidates the oldest." */
const REFRESH_TOKENS_PER_CLIENT = 100;

const grantKey = (user: string, clientId: string): string => `${user}\n${clientId}`;

/** Codes, access tokens, refresh tokens and remembered consents. Validation lives in the endpoints. */
export class TokenStore {
  private readonly codes = new Map<string, AuthCode>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly consents = new Map<string, Set<string>>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {}

  consentedScopes(user: string, clientId: string): ReadonlySet<string> {
    return this.consents.get(grantKey(user, clientId)) ?? new Set();
  }

  recordConsent(user: string, clientId: string, scopes: string[]): void {
    const key = grantKey(user, clientId);
    this.consents.set(key, new Set([...(this.consents.get(key) ?? []), ...scopes]));
  }

  issueCode(code: Omit<AuthCode, 'expiresAt' | 'used'>): string {
    const value = newAuthCode();
    this.codes.set(value, { ...code, expiresAt: this.now() + CODE_TTL_MS, used: false });
    return value;
  }

  findCode(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }

  isExpired(code: AuthCode): boolean {
    return this.now() >= code.expiresAt;
  }

  /** Redeems a validated code: marks it used and mints the tokens. */
  redeem(code: AuthCode): { access: AccessToken; refresh?: RefreshToken } {
    code.used = true;
    const refresh = code.issueRefreshToken ? this.newRefresh(code.user, code.clientId, code.scopes) : undefined;
    const access = this.newAccess(code.user, code.clientId, code.scopes, refresh?.token);
    return { access, refresh };
  }

  findRefresh(token: string): RefreshToken | undefined {
    const record = this.refresh.get(token);
    return record && !record.revoked ? record : undefined;
  }

  /** Refresh tokens are not rotated: only a new access token comes back. */
  refreshAccess(record: RefreshToken): AccessToken {
    return this.newAccess(record.user, record.clientId, record.scopes, record.token);
  }

  /** A live access token (not revoked, not expired), or undefined. */
  findAccess(token: string): AccessToken | undefined {
    const record = this.access.get(token);
    return record && !record.revoked && this.now() < record.expiresAt ? record : undefined;
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

  expireAllAccessTokens(): void {
    const now = this.now();
    for (const record of this.access.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }

  /** Every code and token ever issued (tests check that none leaks into queues, histories or logs). */
  issued(): { codes: string[]; accessTokens: string[]; refreshTokens: string[] } {
    return { codes: [...this.codes.keys()], accessTokens: [...this.access.keys()], refreshTokens: [...this.refresh.keys()] };
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

  private newRefresh(user: string, clientId: string, scopes: string[]): RefreshToken {
    const live = [...this.refresh.values()].filter((r) => !r.revoked && r.user === user && r.clientId === clientId);
    if (live.length >= REFRESH_TOKENS_PER_CLIENT) this.revokeRefresh(live[0]!.token);
    const record: RefreshToken = { token: newRefreshToken(), user, clientId, scopes, revoked: false };
    this.refresh.set(record.token, record);
    return record;
  }

  private newAccess(user: string, clientId: string, scopes: string[], refreshToken?: string): AccessToken {
    const record: AccessToken = {
      token: newAccessToken(),
      user,
      clientId,
      scopes,
      expiresAt: this.now() + this.ttlSeconds() * 1000,
      accessType: refreshToken ? 'offline' : 'online',
      refreshToken,
      revoked: false,
    };
    this.access.set(record.token, record);
    return record;
  }
}
