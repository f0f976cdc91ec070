import { createHash } from 'node:crypto';
import type { Sealer } from '../../shared/crypto';

/**
 * PKCE (RFC 7636) with S256 for one transfer. The verifier is derived from the transfer id under SECRET_KEY
 * (43 characters, as unguessable as a random one to anyone without the key), so the start route and the
 * callback compute the same one and it need not ride in the OAuth state. The callback passes the id of the key
 * that sealed the state, so a SECRET_KEY rotation between the two does not fail that consent.
 */
export function pkceFor(sealer: Sealer, transferId: string, keyId?: string): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = sealer.derive('pkce-verifier', transferId, keyId);
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge };
}
