import type { CloudType } from '../../shared/types';

/** What the token exchange gave us, reduced to what the callback decides on. */
export interface GrantedAccess {
  /** Sealed into the job; the only credential that leaves the API. */
  refreshToken: string | undefined;
  /** Undefined when the provider does not say (the request is then taken as granted). */
  scope: string | undefined;
  /** Used only to give a grant back that we will not use. */
  accessToken: string | undefined;
}

/**
 * One destination's consent screen and token endpoint, as the API needs them: the start route builds the URL,
 * the callback route exchanges the code. Everything else about a provider lives in the worker (src/providers).
 */
export interface ConsentProvider {
  readonly cloudType: CloudType;
  /** Where the provider sends the browser back (under PUBLIC_URL). */
  readonly callbackPath: string;
  consentUrl(state: string, codeChallenge: string): string;
  /** Rejects when the provider refuses the code (expired, reused, wrong verifier). */
  exchangeCode(code: string, codeVerifier: string): Promise<GrantedAccess>;
  /** True when the granted scopes let a transfer write where it must. */
  grantsAccess(scope: string | undefined): boolean;
  /** Gives a grant back (all of it: the refresh token dies too); rejects when the provider could not be reached. */
  revoke(access: GrantedAccess): Promise<void>;
  /** Loggable facts about a failed exchange — never the request (it holds the code and the client secret). */
  describeError(err: unknown): Record<string, unknown>;
}
