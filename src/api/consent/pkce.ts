import { createHash, randomBytes } from 'node:crypto';

/** PKCE (RFC 7636) with S256: a 43-character verifier and its hashed challenge. */
export function pkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge };
}
