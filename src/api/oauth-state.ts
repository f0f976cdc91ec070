import { z } from 'zod';
import { CLOUD_TYPES } from '../providers/registry';
import { SealError, Sealer } from '../shared/crypto';

/**
 * The OAuth `state` parameter: everything the callback needs, sealed (encrypted and authenticated) so the API
 * keeps no session and sets no cookie. Sealing also makes it the CSRF token: only we can produce one.
 *
 * It travels in the consent URL and in the provider's redirect back to us, so it is kept small: the PKCE
 * verifier is not in it (it is derived from the transfer id, see pkceFor), and the fields are joined by newlines
 * instead of being JSON — no field can hold a newline (links are normalised URLs, which percent-encode control
 * characters; the gallery name refuses them), and nothing is escaped, so its size is the fields' UTF-8 bytes
 * plus a fixed few (the field limits in transfer-request.ts are chosen from that).
 */

export const STATE_TTL_SECONDS = 10 * 60;
const VERSION = '3';
/** States sealed before `separate_copy` (they live 10 minutes: a deploy meets some); they lack its field. */
const VERSION_BEFORE_SEPARATE_COPY = '2';

const oauthStateSchema = z.object({
  transfer_id: z.string(),
  /** Expiry, Unix seconds. */
  exp: z.coerce.number().int(),
  cloud_type: z.enum(CLOUD_TYPES),
  archive_type: z.enum(['webs', 'originals']),
  redirect_success_link: z.string(),
  redirect_fail_link: z.string(),
  archive_url: z.string(),
  gallery_name: z.string(),
  separate_copy: z.enum(['0', '1']).transform((v) => v === '1'),
});

export type OAuthState = z.output<typeof oauthStateSchema>;

/** The order of the fields in the sealed text. */
const FIELDS = Object.keys(oauthStateSchema.shape) as Array<keyof OAuthState>;

/** `separate_copy` unset is false. */
export function sealState(sealer: Sealer, state: Omit<OAuthState, 'separate_copy'> & { separate_copy?: boolean }): string {
  const full: OAuthState = { ...state, separate_copy: state.separate_copy ?? false };
  const values = FIELDS.map((field) => (typeof full[field] === 'boolean' ? (full[field] ? '1' : '0') : String(full[field])));
  if (values.some((value) => value.includes('\n'))) throw new Error('an OAuth state field holds a newline'); // validated before: a bug
  return sealer.seal('oauth-state', [VERSION, ...values].join('\n'));
}

/** The state, or null when it is missing, tampered with, sealed with another key, or of an unknown shape. */
export function openState(sealer: Sealer, sealed: string | undefined): OAuthState | null {
  if (!sealed) return null;
  let text: string;
  try {
    text = sealer.open('oauth-state', sealed);
  } catch (err) {
    if (err instanceof SealError) return null;
    throw err;
  }
  const [version, ...values] = text.split('\n');
  if (version === VERSION_BEFORE_SEPARATE_COPY && values.length === FIELDS.length - 1) values.push('0');
  else if (version !== VERSION || values.length !== FIELDS.length) return null;
  const parsed = oauthStateSchema.safeParse(Object.fromEntries(FIELDS.map((field, i) => [field, values[i]])));
  return parsed.success ? parsed.data : null;
}

export function isExpired(state: OAuthState, nowMs = Date.now()): boolean {
  return state.exp * 1000 <= nowMs;
}

export function stateExpiry(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000) + STATE_TTL_SECONDS;
}
