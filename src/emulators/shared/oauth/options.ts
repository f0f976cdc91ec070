/** The one OAuth client an emulator knows, and how its consent screen answers. */
export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  /** Exact-match allowlist for redirect_uri. */
  redirectUris: string[];
  /** 'allow' (default) 302s straight back; 'page' renders Allow/Deny; 'deny' answers error=access_denied. */
  consent?: 'allow' | 'deny' | 'page';
}
