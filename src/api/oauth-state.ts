import { z } from 'zod';
import { SealError, Sealer } from '../shared/crypto';

/**
 * The OAuth `state` parameter: everything the callback needs, sealed (encrypted and authenticated) so the API
 * keeps no session and sets no cookie. Sealing also makes it the CSRF token: only we can produce one.
 */

export const STATE_TTL_SECONDS = 10 * 60;

const oauthStateSchema = z.object({
  v: z.literal(1),
  transfer_id: z.string(),
  redirect_success_link: z.string(),
  redirect_fail_link: z.string(),
  archive_url: z.string(),
  gallery_name: z.string(),
  archive_type: z.enum(['webs', 'originals']),
  cloud_type: z.enum(['google_drive', 'yadisk']),
  /** PKCE verifier; Google only hands out tokens to whoever also presents it. */
  code_verifier: z.string(),
  /** Expiry, Unix seconds. */
  exp: z.number().int(),
});

export type OAuthState = z.infer<typeof oauthStateSchema>;

export function sealState(sealer: Sealer, state: OAuthState): string {
  return sealer.seal('oauth-state', JSON.stringify(state));
}

/** The state, or null when it is missing, tampered with, sealed with another key, or of an unknown shape. */
export function openState(sealer: Sealer, sealed: string | undefined): OAuthState | null {
  if (!sealed) return null;
  let json: string;
  try {
    json = sealer.open('oauth-state', sealed);
  } catch (err) {
    if (err instanceof SealError) return null;
    throw err;
  }
  const parsed = oauthStateSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

export function isExpired(state: OAuthState, nowMs = Date.now()): boolean {
  return state.exp * 1000 <= nowMs;
}

export function stateExpiry(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000) + STATE_TTL_SECONDS;
}
