import { newAccessToken, newAuthCode, newRefreshToken } from '../ids';

export interface AuthCode {
  clientId: string;
  user: string;
  scopes: string[];
  /** The S256 code_challenge given at /authorize, if any. */
  challenge?: string;
  expiresAt: number;
  used: boolean;
}

/** One consent: every token minted from a code and its refreshes belongs to the same grant. */
interface Grant {
  user: string;
  clientId: string;
  scopes: string[];
}

export interface AccessToken {
  token: string;
  grant: Grant;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshToken {
  token: string;
  grant: Grant;
  revoked: boolean;
}

/** "The confirmation code is valid for 10 minutes." */
const CODE_TTL_MS = 10 * 60 * 1000;

/** Codes, access tokens and refresh tokens. Validation lives in the endpoints. */
export class TokenStore {
  private readonly codes = new Map<string, AuthCode>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {}

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

  /** Redeems a validated code: marks it used and mints the first token pair of a new grant. */
  redeem(code: AuthCode): { access: AccessToken; refresh: RefreshToken } {
    code.used = true;
    return this.mint({ user: code.user, clientId: code.clientId, scopes: code.scopes });
  }

  findRefresh(token: string): RefreshToken | undefined {
    const record = this.refresh.get(token);
    return record && !record.revoked ? record : undefined;
  }

  /** Yandex answers a refresh with a new token pair; the old refresh token keeps working. */
  renew(record: RefreshToken): { access: AccessToken; refresh: RefreshToken } {
    return this.mint(record.grant);
  }

  /** A live access token (not revoked, not expired), or undefined. */
  findAccess(token: string): AccessToken | undefined {
    const record = this.access.get(token);
    return record && !record.revoked && this.now() < record.expiresAt ? record : undefined;
  }

  /** Revokes a live access token and every refresh token of its grant. */
  revoke(record: AccessToken): void {
    record.revoked = true;
    for (const refresh of this.refresh.values()) if (refresh.grant === record.grant) refresh.revoked = true;
  }

  expireAllAccessTokens(): void {
    const now = this.now();
    for (const record of this.access.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }

  /** Every code and token ever issued (tests check that none leaks into queues, histories or logs). */
  issued(): { codes: string[]; accessTokens: string[]; refreshTokens: string[] } {
    return { codes: [...this.codes.keys()], accessTokens: [...this.access.keys()], refreshTokens: [...this.refresh.keys()] };
  }

  /** Access and refresh tokens revoked so far. */
  revokedTokens(): string[] {
    return [...this.access.values(), ...this.refresh.values()].filter((r) => r.revoked).map((r) => r.token);
  }

  private mint(grant: Grant): { access: AccessToken; refresh: RefreshToken } {
    const access: AccessToken = { token: newAccessToken(), grant, expiresAt: this.now() + this.ttlSeconds() * 1000, revoked: false };
    const refresh: RefreshToken = { token: newRefreshToken(), grant, revoked: false };
    this.access.set(access.token, access);
    this.refresh.set(refresh.token, refresh);
    return { access, refresh };
  }
}
