import type { Challenge } from './pkce';

/** One consent: the user, the client and the scopes granted; the tokens minted from one code share it. */
export interface Grant {
  user: string;
  clientId: string;
  scopes: string[];
}

/** An authorization code; `Extra` is what a provider remembers besides (Google: redirect_uri, offline access). */
export type AuthCode<Extra extends object = object> = Grant &
  Extra & {
    challenge?: Challenge;
    expiresAt: number;
    used: boolean;
  };

export interface AccessToken {
  token: string;
  grant: Grant;
  expiresAt: number;
  /** The refresh token this access token came with or from, when the provider ties their revocation together. */
  refreshToken?: string;
  revoked: boolean;
}

export interface RefreshToken {
  token: string;
  grant: Grant;
  revoked: boolean;
}

/** How a provider's codes and tokens look. */
export interface TokenIds {
  code(): string;
  access(): string;
  refresh(): string;
}

/** Both providers: codes live 10 minutes (RFC 6749 §4.1.2 recommends at most 10). */
const CODE_TTL_MS = 10 * 60 * 1000;

/**
 * Codes, access tokens and refresh tokens, and their expiry. What a refresh returns and what a revocation
 * takes down differ by provider: their stores extend this one. Validation lives in the endpoints.
 */
export class TokenStore<Extra extends object = object> {
  protected readonly codes = new Map<string, AuthCode<Extra>>();
  protected readonly access = new Map<string, AccessToken>();
  protected readonly refresh = new Map<string, RefreshToken>();

  constructor(
    private readonly ids: TokenIds,
    protected readonly now: () => number,
    private readonly ttlSeconds: () => number,
  ) {}

  issueCode(code: Omit<AuthCode<Extra>, 'expiresAt' | 'used'>): string {
    const value = this.ids.code();
    this.codes.set(value, { ...code, expiresAt: this.now() + CODE_TTL_MS, used: false } as AuthCode<Extra>);
    return value;
  }

  findCode(code: string): AuthCode<Extra> | undefined {
    return this.codes.get(code);
  }

  isExpired(code: AuthCode<Extra>): boolean {
    return this.now() >= code.expiresAt;
  }

  findRefresh(token: string): RefreshToken | undefined {
    const record = this.refresh.get(token);
    return record && !record.revoked ? record : undefined;
  }

  /** A live access token (not revoked, not expired), or undefined. */
  findAccess(token: string): AccessToken | undefined {
    const record = this.access.get(token);
    return record && !record.revoked && this.now() < record.expiresAt ? record : undefined;
  }

  expireAllAccessTokens(): void {
    const now = this.now();
    for (const record of this.access.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }

  /** Every code and token ever issued (tests check that none leaks into queues, histories or logs). */
  issued(): { codes: string[]; accessTokens: string[]; refreshTokens: string[] } {
    return { codes: [...this.codes.keys()], accessTokens: [...this.access.keys()], refreshTokens: [...this.refresh.keys()] };
  }

  protected mintAccess(grant: Grant, refreshToken?: string): AccessToken {
    const record: AccessToken = { token: this.ids.access(), grant, expiresAt: this.now() + this.ttlSeconds() * 1000, refreshToken, revoked: false };
    this.access.set(record.token, record);
    return record;
  }

  protected mintRefresh(grant: Grant): RefreshToken {
    const record: RefreshToken = { token: this.ids.refresh(), grant, revoked: false };
    this.refresh.set(record.token, record);
    return record;
  }
}
